import { z } from 'zod';
import { durationSchema } from '../schema/duration';
import { ByteSizeSchema, wholeNumber } from '../schema/fields';
import { aliasKeys, withKeyAliases } from './normalize';

/**
 * `meta.producer` (legacy `producer`): Fluvio producer settings (FL `fluvio-connector-package`
 * `ProducerParameters`). Validated and kept in `spec.producer`; not used yet. `linger` in ms.
 * `batch_size` is accepted for `batch-size`, as in Fluvio.
 *
 * @example
 * ```yaml
 * producer: {linger: 1ms, batch-size: "44.0 MB", compression: gzip}
 * ```
 */
export const ProducerOptionsSchema = withKeyAliases(
  z.strictObject({
    linger: durationSchema({ min: 0, max: '24d' }).optional(),
    'batch-size': ByteSizeSchema.optional(),
    compression: z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']).optional(),
  }),
  aliasKeys({ batch_size: 'batch-size' }),
);

/** Validated producer settings (`linger` in ms). */
export type ProducerOptions = z.output<typeof ProducerOptionsSchema>;

const OffsetSchema = wholeNumber(0, 'an offset');

/**
 * Where a consumer starts (FL `crates/fluvio/src/consumer/config.rs`): `beginning`, `end`, or an
 * absolute or relative offset.
 */
export const ConsumerOffsetStartSchema = z.union([
  z.enum(['beginning', 'end']),
  z.strictObject({ absolute: OffsetSchema }),
  z.strictObject({ 'from-beginning': OffsetSchema }),
  z.strictObject({ 'from-end': OffsetSchema }),
]);

/**
 * `meta.consumer` (legacy `consumer`): Fluvio consumer settings for sinks (FL `ConsumerParameters`).
 * Kept in `spec.consumer`; the sink runtime uses `id`, `offset.start` and `offset.strategy`
 * (`lib/runtime/sink.ts`: a sink without `id` uses its connector name, without `offset` commits);
 * `partition`, `max-bytes` and `flush-period` are validated only (one partition; commits are
 * immediate). Like Fluvio, an `offset.strategy` other than `none` needs an `id` (Fluvio fails at
 * start with "Consumer id is required when using offset strategy"; we fail at load). `max_bytes`
 * is accepted for `max-bytes`.
 *
 * @example
 * ```yaml
 * consumer:
 *   partition: all
 *   max-bytes: "1 MB"
 *   id: my-sink
 *   offset: {start: beginning, strategy: auto, flush-period: {secs: 10, nanos: 0}}
 * ```
 */
export const ConsumerOptionsSchema = withKeyAliases(
  z
    .strictObject({
      partition: z
        .union([wholeNumber(0, 'a partition'), z.array(wholeNumber(0, 'a partition')).min(1), z.literal('all')])
        .optional(),
      'max-bytes': z.union([ByteSizeSchema, wholeNumber(1, 'a number of bytes')]).optional(),
      id: z.string({ error: 'expected a consumer id' }).min(1, 'expected a consumer id').optional(),
      offset: z
        .strictObject({
          start: ConsumerOffsetStartSchema.optional(),
          strategy: z.enum(['none', 'manual', 'auto']),
          // A serde Duration struct in Fluvio, not humantime.
          'flush-period': z
            .strictObject({ secs: wholeNumber(0, 'seconds', 2_073_600), nanos: wholeNumber(0, 'nanoseconds').max(999_999_999, 'expected nanoseconds (0 to 999999999)').default(0) })
            .optional(),
        })
        .optional(),
    })
    .superRefine((consumer, ctx) => {
      if (consumer.offset && consumer.offset.strategy !== 'none' && consumer.id === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['id'],
          input: undefined,
          message: `missing required field: a consumer id is required when offset.strategy is "${consumer.offset.strategy}"`,
          params: { code: 'CONFIG_MISSING_FIELD', target: 'parent', raw: true },
        });
      }
    }),
  aliasKeys({ max_bytes: 'max-bytes' }),
);

/** Validated consumer settings. */
export type ConsumerOptions = z.output<typeof ConsumerOptionsSchema>;
