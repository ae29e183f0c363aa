import type { ChainRecord, SmartModuleKind, StepFailure, StepRuntime } from './definition';

/** A record as a per-record transform sees it. */
export interface RecordInput {
  key: Uint8Array | null;
  value: Uint8Array;
}

/** A record a transform produces (a string is encoded as UTF-8). */
export interface RecordOutput {
  key: Uint8Array | string | null;
  value: Uint8Array | string;
}

/**
 * The function of a native transform of each kind, per record, as Fluvio's SmartModule functions
 * are (`#[smartmodule(filter)] fn(record) -> Result<bool>` …). Throwing fails that record.
 */
export type PerRecordFunction =
  | { kind: 'filter'; fn: (record: RecordInput) => boolean }
  | { kind: 'map'; fn: (record: RecordInput) => RecordOutput }
  | { kind: 'filter-map'; fn: (record: RecordInput) => RecordOutput | null }
  | { kind: 'array-map'; fn: (record: RecordInput) => RecordOutput[] }
  | { kind: 'aggregate'; fn: (accumulator: Uint8Array, record: RecordInput) => Uint8Array | string };

const encoder = new TextEncoder();
const bytes = (value: Uint8Array | string): Uint8Array => (typeof value === 'string' ? encoder.encode(value) : value);

/** The message of a thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A {@link StepRuntime} from a per-record function: records are handled in order; one that throws
 * is reported as a failure and the next record goes on. An aggregate's accumulator starts empty (a
 * transforms step has no initial value in Fluvio either) and lives as long as the step; a failed
 * record leaves it unchanged.
 */
export function perRecordStep(spec: PerRecordFunction): StepRuntime {
  let accumulator: Uint8Array = new Uint8Array(0);
  const apply = (record: ChainRecord, out: ChainRecord[]): void => {
    const input = { key: record.key, value: record.value };
    switch (spec.kind) {
      case 'filter':
        if (spec.fn(input)) out.push(record);
        return;
      case 'map': {
        const mapped = spec.fn(input);
        out.push({ origin: record.origin, key: mapped.key === null ? null : bytes(mapped.key), value: bytes(mapped.value) });
        return;
      }
      case 'filter-map': {
        const mapped = spec.fn(input);
        if (mapped) out.push({ origin: record.origin, key: mapped.key === null ? null : bytes(mapped.key), value: bytes(mapped.value) });
        return;
      }
      case 'array-map':
        for (const item of spec.fn(input)) out.push({ origin: record.origin, key: item.key === null ? null : bytes(item.key), value: bytes(item.value) });
        return;
      case 'aggregate':
        accumulator = bytes(spec.fn(accumulator, input));
        out.push({ origin: record.origin, key: record.key, value: accumulator });
        return;
    }
  };
  return {
    kind: spec.kind as SmartModuleKind,
    async process(records) {
      const out: ChainRecord[] = [];
      const failures: StepFailure[] = [];
      for (const record of records) {
        try {
          apply(record, out);
        } catch (err) {
          failures.push({ origin: record.origin, message: messageOf(err), cause: 'error' });
        }
      }
      return { records: out, failures };
    },
    async close() {
      // nothing to release
    },
  };
}
