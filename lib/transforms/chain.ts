import { ConnectorError, ErrorCode } from '../core/errors';
import type { Logger } from '../core/log';
import type { ChainRecord, SmartModuleKind, StepFailure, StepRuntime } from './definition';
import { knownTransformNames, resolveTransform, type TransformRegistry } from './registry';
import { type OnErrorPolicy, type TransformStep, WasmLimitDefaults } from './schema';

/** One opened step of a chain. */
export interface OpenedStep {
  /** Position in `transforms:`. */
  readonly index: number;
  readonly uses: string;
  readonly kind: SmartModuleKind;
  readonly onError: OnErrorPolicy;
  /** `builtin` (native) or `wasm` (a SmartModule file on the WebAssembly host). */
  readonly runtime: 'builtin' | 'wasm';
}

/** A source record that failed in a step. */
export interface ChainFailure extends StepFailure {
  readonly step: OpenedStep;
}

/** What a chain made of one emitted batch. */
export interface ChainResult {
  /** Records to produce, in order (a failed source record contributes none). */
  records: ChainRecord[];
  /** Source records a step failed on (at most one failure per source record: the first), by origin. */
  failures: ChainFailure[];
  /** Source records that produced nothing and failed nowhere: a filter (or an empty array-map) removed them. */
  filtered: number;
}

/** The Filter and Shape stages: every step of `transforms:`, in order. */
export interface TransformChain {
  readonly steps: readonly OpenedStep[];
  /**
   * Runs a batch of source records through every step. Steps keep state (an aggregate's
   * accumulator) between calls, for the life of the chain. Calls must not overlap.
   */
  process(records: readonly { key?: Uint8Array | null; value: Uint8Array }[]): Promise<ChainResult>;
  /** Releases the steps (stops WebAssembly workers). Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link openTransformChain}. */
export interface ChainOptions {
  registry: TransformRegistry;
  /** Directory that relative `.wasm` paths resolve against: the config file's directory. */
  baseDir: string;
  log: Logger;
}

/**
 * Opens the steps of `transforms:` (built-in transforms load their code; SmartModule files are
 * compiled, started on their worker and `init`ialised with their `with:` parameters).
 * @throws ConnectorError CONFIG_UNKNOWN_TRANSFORM, TRANSFORM_INVALID_MODULE or TRANSFORM_INIT_FAILED;
 *   steps opened before the failing one are closed.
 * @example
 * const chain = await openTransformChain(spec.transforms, { registry: defaultTransforms, baseDir: dirname(spec.file), log });
 * const { records, failures, filtered } = await chain.process([{ value: Buffer.from('{"a":1}') }]);
 */
export async function openTransformChain(steps: readonly TransformStep[], options: ChainOptions): Promise<TransformChain> {
  const opened: { step: OpenedStep; runtime: StepRuntime }[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(opened.map(({ runtime }) => runtime.close()));
  };
  try {
    for (const [index, step] of steps.entries()) {
      const log = options.log.child({ step: index, uses: step.uses });
      if (step.lookback) log.warn({ lookback: step.lookback }, 'lookback is only used by SmartModules running on a Fluvio SPU; ignored here, as by Fluvio source connectors');
      const resolved = resolveTransform(step.uses, options.registry, options.baseDir);
      let runtime: StepRuntime;
      if (resolved.type === 'builtin') {
        const params = resolved.definition.params.parse(step.with) as unknown;
        runtime = (await resolved.definition.load()).create(params, { log });
      } else if (resolved.type === 'wasm') {
        // The WebAssembly host loads only for configs that use a SmartModule file.
        const [{ loadSmartModule }, { openWasmStep }] = await Promise.all([import('./wasm/host'), import('./wasm/step')]);
        const loaded = await loadSmartModule(resolved.path, step.max_memory ?? WasmLimitDefaults.maxMemoryBytes);
        runtime = await openWasmStep(loaded, step.with, { timeoutMs: step.timeout ?? WasmLimitDefaults.timeoutMs, maxMemoryBytes: loaded.maxMemoryBytes });
      } else {
        throw new ConnectorError(`transforms[${index}].uses: unknown SmartModule "${step.uses}", expected one of ${knownTransformNames(options.registry).join(', ')}`, ErrorCode.CONFIG_UNKNOWN_TRANSFORM);
      }
      opened.push({ step: { index, uses: step.uses, kind: runtime.kind, onError: step.on_error, runtime: resolved.type }, runtime });
    }
  } catch (err) {
    await close();
    throw err;
  }

  return {
    steps: opened.map(({ step }) => step),
    async process(input) {
      let records: ChainRecord[] = input.map((record, origin) => ({ origin, key: record.key ?? null, value: record.value }));
      const failures: ChainFailure[] = [];
      const failed = new Set<number>();
      for (const { step, runtime } of opened) {
        if (records.length === 0) break;
        const result = await runtime.process(records);
        for (const failure of result.failures) {
          if (failed.has(failure.origin)) continue;
          failed.add(failure.origin);
          failures.push({ ...failure, step });
        }
        // A source record that failed anywhere produces nothing (its raw form is what is reported).
        records = failed.size > 0 ? result.records.filter((record) => !failed.has(record.origin)) : result.records;
      }
      if (failed.size > 0) records = records.filter((record) => !failed.has(record.origin));
      const produced = new Set(records.map((record) => record.origin));
      const filtered = input.length - failed.size - produced.size;
      failures.sort((a, b) => a.origin - b.origin);
      return { records, failures, filtered };
    },
    close,
  };
}
