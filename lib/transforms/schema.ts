import { z } from 'zod';
import { durationSchema } from '../schema/duration';
import { wholeNumber } from '../schema/fields';

/**
 * One value of a transform's `with` map (FL `fluvio-smartengine/src/transformation.rs` `JsonString`):
 * a string is kept as is, a map or list is serialised to a JSON string; a bare number or boolean is
 * rejected, as in Fluvio (write `"5"`). Output: a string.
 */
export const TransformParameterSchema = z.unknown().transform((value, ctx): string => {
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
});

/**
 * One step of `transforms:` (Fluvio `TransformationStep`). Validated and kept in `spec.transforms`;
 * NOT executed yet (the CLI refuses or warns). `with` values come out as strings, `lookback.age` in ms.
 *
 * @example
 * ```yaml
 * transforms:
 *   - uses: infinyon/jolt@0.4.1
 *     with:
 *       spec:
 *         - operation: default
 *           spec: {source: http}
 * ```
 */
export const TransformStepSchema = z.strictObject({
  uses: z
    .string({ error: 'expected a SmartModule as "group/name@x.y.z", e.g. "infinyon/jolt@0.4.1"' })
    .regex(
      /^[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+@\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/,
      'expected a SmartModule as "group/name@x.y.z", e.g. "infinyon/jolt@0.4.1"',
    ),
  with: z.record(z.string(), TransformParameterSchema, { error: 'expected a mapping of parameter names to values' }).default({}),
  lookback: z
    .strictObject({ last: wholeNumber(0, 'a number of records'), age: durationSchema({ max: '100y' }) })
    .partial()
    .optional(),
});

/** A validated transform step. */
export type TransformStep = z.output<typeof TransformStepSchema>;

/** The `transforms:` list (empty when absent). */
export const TransformsSchema = z.array(TransformStepSchema, { error: 'expected a list of transforms' }).default([]);
