import type { z } from 'zod';
import type { Logger } from '../core/log';

/**
 * The SmartModule types of Fluvio (FL `fluvio-smartmodule-derive/src/ast.rs`), as our transforms
 * use them:
 *
 * | kind | one record in gives |
 * |---|---|
 * | `filter` | itself or nothing |
 * | `map` | one record (new key and value) |
 * | `filter-map` | one record or nothing |
 * | `array-map` | zero or more records (null keys unless the transform sets them) |
 * | `aggregate` | one record whose value is the new accumulator (state carried across the records of a run) |
 */
export type SmartModuleKind = 'filter' | 'map' | 'filter-map' | 'array-map' | 'aggregate';

/**
 * A record between transform steps. `origin` is the index, in the batch the source emitted, of the
 * source record it came from, so a failure anywhere in the chain names (and dead-letters) the raw
 * record that caused it.
 */
export interface ChainRecord {
  /** Index of the source record in its emitted batch. */
  readonly origin: number;
  key: Uint8Array | null;
  value: Uint8Array;
}

/** A record a step could not process. */
export interface StepFailure {
  /** {@link ChainRecord.origin} of the record. */
  readonly origin: number;
  /** What went wrong, for logs, the error and the dead-letter record. */
  readonly message: string;
  /** `error`: the transform reported it (threw); `trap`: a WebAssembly trap; `timeout`: a call past its time limit. */
  readonly cause: 'error' | 'trap' | 'timeout';
}

/** What a step made of a batch: records for the next step, and the records it failed on. */
export interface StepResult {
  records: ChainRecord[];
  failures: StepFailure[];
}

/**
 * One running step of a chain. `process` gets the records in order and handles them in order; a
 * record it fails on is reported in `failures` and the step goes on with the next record (the
 * runtime decides what a failure means, from the step's `on_error`).
 */
export interface StepRuntime {
  readonly kind: SmartModuleKind;
  process(records: readonly ChainRecord[]): Promise<StepResult>;
  /** Releases resources (a WebAssembly worker). Idempotent. */
  close(): Promise<void>;
}

/** What a transform implementation gets when a chain is opened. */
export interface TransformContext {
  /** Logger bound to the step (`step`, `uses`). */
  log: Logger;
}

/**
 * A built-in transform: a Hub SmartModule implemented natively, so configs that name it run
 * without downloading anything. Registered in a {@link TransformRegistry} by its name without
 * version (`infinyon/jolt`); any version in `uses:` selects it (the README says which behaviour
 * is implemented).
 *
 * @typeParam P - the zod schema of the `with` map (its values arrive as strings: JSON for maps
 *   and lists). Its output is what `create` receives; its issues are located at `with.<key>`.
 */
export interface TransformDefinition<P extends z.ZodType = z.ZodType> {
  /** `group/name`, e.g. `infinyon/jolt`. */
  readonly name: string;
  /** Other names of the same SmartModule (`infinyon-labs/array-map-json`). */
  readonly aliases?: readonly string[];
  readonly kind: SmartModuleKind;
  /** One line for docs and `connector validate`. */
  readonly summary: string;
  /** Schema of the `with` map (strict: an unknown parameter is a config error). */
  readonly params: P;
  /** Loads the implementation (a dynamic import: its code loads only when a config uses it). */
  load(): Promise<{ create(params: z.output<P>, context: TransformContext): StepRuntime }>;
}
