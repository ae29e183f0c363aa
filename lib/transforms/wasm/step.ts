import { ConnectorError, ErrorCode } from '../../core/errors';
import type { ChainRecord, StepFailure, StepResult, StepRuntime } from '../definition';
import { type AbiRecord, decodeAggregateOutput, decodeInitOutput, decodeOutput, encodeAggregateInput, encodeInitInput, encodeInput, INIT_ERROR, INIT_STATUS, TRANSFORM_STATUS, type TransformOutput } from './abi';
import { type LoadedModule, SmartModuleCallError, SmartModuleInstance } from './host';

/** Limits of one SmartModule step (the step's `timeout` and `max_memory`). */
export interface WasmLimits {
  timeoutMs: number;
  maxMemoryBytes: number;
}

/**
 * Calls `init` with the step's `with:` parameters (fluvio-smartengine `engine/common/init.rs`).
 * @throws ConnectorError TRANSFORM_INIT_FAILED with the module's own message.
 */
async function initialize(instance: SmartModuleInstance, params: Readonly<Record<string, string>>): Promise<void> {
  await instance.start();
  if (!instance.loaded.hasInit) return;
  let result;
  try {
    result = await instance.call('init', encodeInitInput(params));
  } catch (err) {
    throw new ConnectorError(`SmartModule ${instance.loaded.path}: init failed: ${(err as Error).message}`, ErrorCode.TRANSFORM_INIT_FAILED);
  }
  if (result.code >= 0) return;
  let reason = INIT_STATUS[result.code] ?? `init returned ${result.code}`;
  if (result.code === INIT_ERROR && result.output) {
    try {
      reason = decodeInitOutput(result.output);
    } catch (err) {
      reason = `${reason} (its error could not be read: ${(err as Error).message})`;
    }
  }
  throw new ConnectorError(`SmartModule ${instance.loaded.path}: init refused its parameters: ${reason}`, ErrorCode.TRANSFORM_INIT_FAILED);
}

/**
 * A running SmartModule step. Records go to the module in one call per batch; the outputs of a
 * `filter`, `map`, `filter_map` or `aggregate` call are traced back to their records by their offset
 * delta (the SmartModule macros keep each record's header), and an `array_map` is called record by
 * record (its outputs are new records). A record the module reports an error for is a failure and
 * the records after it go on in a new call. A trap or a timeout stops the instance: it is started
 * again (and `init` called again) and the batch is retried one record per call, so the failure is
 * pinned to its record and the others are processed.
 *
 * An aggregate's accumulator is kept here (Fluvio's host keeps it too) and passed with each call:
 * it lives as long as the step, i.e. one run of the connector.
 *
 * @throws ConnectorError TRANSFORM_INVALID_MODULE / TRANSFORM_INIT_FAILED from opening.
 */
export async function openWasmStep(loaded: LoadedModule, params: Readonly<Record<string, string>>, limits: WasmLimits): Promise<StepRuntime> {
  const instance = new SmartModuleInstance(loaded, limits.timeoutMs);
  await initialize(instance, params);
  let accumulator: Uint8Array = new Uint8Array(0);
  let restart = false;

  /** One call with `batch`; its records are numbered 0… (offset deltas). */
  async function call(batch: readonly ChainRecord[]): Promise<{ output: TransformOutput & { accumulator?: Uint8Array } } | { failed: Omit<StepFailure, 'origin'> }> {
    if (restart) {
      restart = false;
      await initialize(instance, params);
    }
    const records: AbiRecord[] = batch.map((record, index) => ({ key: record.key, value: record.value, offsetDelta: index, timestampDelta: 0 }));
    const base = { baseOffset: 0, baseTimestamp: Date.now() };
    const input = loaded.kind === 'aggregate' ? encodeAggregateInput(base, records, accumulator) : encodeInput(base, records);
    let result;
    try {
      result = await instance.call(loaded.entry, input);
    } catch (err) {
      if (!(err instanceof SmartModuleCallError)) throw err;
      restart = true;
      return { failed: { message: err.message, cause: err.kind } };
    }
    if (result.code < 0) return { failed: { message: `${loaded.entry} returned ${result.code}: ${TRANSFORM_STATUS[result.code] ?? 'unknown error'}`, cause: 'error' } };
    if (!result.output) return { failed: { message: `${loaded.entry} returned ${result.code} without passing its output to copy_records`, cause: 'error' } };
    try {
      return { output: loaded.kind === 'aggregate' ? decodeAggregateOutput(result.output) : decodeOutput(result.output) };
    } catch (err) {
      return { failed: { message: `${loaded.entry} returned malformed output: ${(err as Error).message}`, cause: 'error' } };
    }
  }

  /** `batch` in one call; `undefined` when it must be retried record by record. */
  async function processBatch(batch: readonly ChainRecord[], out: ChainRecord[], failures: StepFailure[]): Promise<readonly ChainRecord[] | undefined> {
    const single = batch.length === 1;
    const answer = await call(batch);
    if ('failed' in answer) {
      if (!single) return undefined;
      failures.push({ origin: (batch[0] as ChainRecord).origin, ...answer.failed });
      return [];
    }
    const { output } = answer;
    if (single) {
      const origin = (batch[0] as ChainRecord).origin;
      if (output.error) {
        failures.push({ origin, message: `${output.error.kind} error: ${output.error.hint}`, cause: 'error' });
        return [];
      }
      for (const record of output.records) out.push({ origin, key: record.key, value: record.value });
      if (output.accumulator) accumulator = output.accumulator;
      return [];
    }
    // Outputs must trace back, in order, to records before the failure; otherwise retry one by one.
    const failedAt = output.error ? output.error.offset : batch.length;
    if (!Number.isInteger(failedAt) || failedAt < 0 || failedAt > batch.length || (output.error && failedAt === batch.length)) return undefined;
    let last = -1;
    for (const record of output.records) {
      if (!Number.isInteger(record.offsetDelta) || record.offsetDelta < last || record.offsetDelta >= failedAt) return undefined;
      last = record.offsetDelta;
    }
    for (const record of output.records) out.push({ origin: (batch[record.offsetDelta] as ChainRecord).origin, key: record.key, value: record.value });
    if (output.accumulator) accumulator = output.accumulator;
    if (!output.error) return [];
    failures.push({ origin: (batch[failedAt] as ChainRecord).origin, message: `${output.error.kind} error: ${output.error.hint}`, cause: 'error' });
    return batch.slice(failedAt + 1);
  }

  return {
    kind: loaded.kind,
    async process(records): Promise<StepResult> {
      const out: ChainRecord[] = [];
      const failures: StepFailure[] = [];
      let pending: readonly ChainRecord[] = records;
      while (pending.length > 0) {
        const rest = loaded.kind === 'array-map' ? undefined : await processBatch(pending, out, failures);
        if (rest !== undefined) {
          pending = rest;
          continue;
        }
        for (const record of pending) await processBatch([record], out, failures);
        pending = [];
      }
      return { records: out, failures };
    },
    close: () => instance.close(),
  };
}
