import { z } from 'zod';
import { durationSchema } from '../schema/duration';
import { noteJsonSchema } from '../schema/json-schema-notes';
import { wholeNumber } from '../schema/fields';

/**
 * One value of a transform's `with` map (FL `fluvio-smartengine/src/transformation.rs` `JsonString`):
 * a string is kept as is, a map or list is serialised to a JSON string; a bare number or boolean is
 * rejected, as in Fluvio (write `"5"`). Output: a string.
 */
export const TransformParameterSchema = noteJsonSchema(z.unknown().transform((value, ctx): string => {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) || (typeof value === 'object' && value !== null)) return JSON.stringify(value);
  ctx.addIssue({
    code: 'custom',
    input: value,
    message:
      typeof value === 'number' || typeof value === 'boolean'
        ? `expected a string, a list or a mapping; quote a bare ${typeof value} (write "${String(value)}")`
        : 'expected a string, a list or a mapping',
  });
  return z.NEVER;
}), { kind: 'instead', schema: { type: ['string', 'array', 'object'] } });

/** What happens to a record a transform fails on (throws, traps, times out). */
export const ON_ERROR_POLICIES = ['fail', 'skip', 'dead-letter'] as const;
export type OnErrorPolicy = (typeof ON_ERROR_POLICIES)[number];

/** `uses:` naming a SmartModule: `group/name@x.y.z` (Hub and cluster names). */
export const SMARTMODULE_NAME = /^[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+@\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/;
/** `uses:` naming a WebAssembly file (relative to the config file's directory, or absolute). */
export const WASM_PATH = /\.wasm$/;

const USES_RULE = 'expected a SmartModule as "group/name@x.y.z" (e.g. "infinyon/jolt@0.4.1") or a path to a .wasm file';

/** A size such as `64 MiB`, `500 kB` or `1048576` (bytes), read as Rust's `bytesize` reads it (kB = 1000, KiB = 1024). */
const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?$/i;
const SIZE_RULE = 'expected a size such as "64 MiB", "512 KiB" or "1048576" (bytes)';

/** Parses {@link SIZE}; `undefined` when it does not match. */
export function parseByteSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 'b').toLowerCase();
  const power = 'bkmgt'.indexOf(unit[0] as string);
  const base = unit.includes('i') ? 1024 : 1000;
  return Math.round(Number(match[1]) * base ** power);
}

/** Default limits of a `.wasm` SmartModule call (the step's `timeout` and `max_memory`). */
export const WasmLimitDefaults = {
  /** One call of an entry point (one batch of records): 2 s. */
  timeoutMs: 2_000,
  /** Linear memory of one module instance: 128 MiB (Fluvio's own store limit is 1 GB). */
  maxMemoryBytes: 128 * 1024 * 1024,
} as const;

/**
 * One step of `transforms:` (Fluvio `TransformationStep`, plus three keys of ours that Fluvio
 * ignores). `with` values come out as strings (a map or list as JSON), `lookback.age` and
 * `timeout` in ms, `max_memory` in bytes. Which `uses:` names exist and what their `with` takes is
 * checked against a transforms registry by the config model.
 *
 * @example
 * ```yaml
 * transforms:
 *   - uses: infinyon/jolt@0.4.1
 *     with:
 *       spec:
 *         - operation: default
 *           spec: {source: http}
 *   - uses: ./my-filter.wasm       # a SmartModule file next to the config
 *     on_error: dead-letter        # ours: fail (default) | skip | dead-letter
 *     timeout: 500ms               # ours, .wasm only: limit of one call
 *     max_memory: 32 MiB           # ours, .wasm only: limit of the module's memory
 * ```
 */
export const TransformStepSchema = z.strictObject({
  uses: z
    .string({ error: USES_RULE })
    .refine((uses) => SMARTMODULE_NAME.test(uses) || (WASM_PATH.test(uses) && uses.trim() === uses), USES_RULE)
    .describe('The SmartModule: a built-in Hub name (`infinyon/jolt@0.4.1`), or a `.wasm` file (relative to the config file).'),
  with: z
    .record(z.string(), TransformParameterSchema, { error: 'expected a mapping of parameter names to values' })
    .default({})
    .describe('Parameters of the SmartModule (its `init`); a map or list value is passed as JSON text.'),
  lookback: z
    .strictObject({
      last: wholeNumber(0, 'a number of records').describe('Fluvio lookback: the last N records of the topic. Accepted and ignored here (SPU only).'),
      age: durationSchema({ max: '100y' }).describe('Fluvio lookback: records younger than this. Accepted and ignored here (SPU only).'),
    })
    .partial()
    .optional()
    .describe('Fluvio lookback. Only used by SmartModules running on a Fluvio SPU: accepted and ignored here, as by Fluvio source connectors.'),
  on_error: z
    .enum(ON_ERROR_POLICIES, { error: 'expected one of "fail", "skip", "dead-letter"' })
    .default('fail')
    .describe('Ours. A record this step fails on: `fail` stops the run (after reporting it), `skip` drops it (counted and logged), `dead-letter` writes it with the error to topic `<topic>-dlq`.'),
  timeout: durationSchema({ min: 1 })
    .optional()
    .describe('Ours, `.wasm` only: longest one call of the SmartModule may run (default 2s); a call past it is stopped, and counts as a failure of its record.'),
  max_memory: z
    .string({ error: SIZE_RULE })
    .transform((text, ctx) => {
      const bytes = parseByteSize(text);
      if (bytes === undefined || bytes < 65_536) {
        ctx.addIssue({ code: 'custom', input: text, message: bytes === undefined ? SIZE_RULE : 'expected at least 64 KiB (one WebAssembly page)' });
        return z.NEVER;
      }
      return bytes;
    })
    .optional()
    .describe('Ours, `.wasm` only: most linear memory the module may grow to (default 128 MiB); growing past it fails the call.'),
});

/** A validated transform step. */
export type TransformStep = z.output<typeof TransformStepSchema>;

/** The `transforms:` list (empty when absent). */
export const TransformsSchema = z.array(TransformStepSchema, { error: 'expected a list of transforms' }).default([]);
