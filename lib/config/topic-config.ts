import { z } from 'zod';
import { durationSchema } from '../schema/duration';
import { anyCasePattern, noteJsonSchema } from '../schema/json-schema-notes';
import { ByteSizeSchema, TopicNameSchema, wholeNumber } from '../schema/fields';

/** Fluvio's topic compression algorithms (`CompressionAlgorithm`, serialised as written here). */
export const TopicCompression = ['Any', 'None', 'Gzip', 'Snappy', 'Lz4', 'Zstd'] as const;

/** Accepts the algorithm in any letter case (`lz4`, `Lz4`) and returns Fluvio's spelling. */
const TopicCompressionSchema = noteJsonSchema(
  z.preprocess(
    (value) => (typeof value === 'string' ? (TopicCompression.find((name) => name.toLowerCase() === value.toLowerCase()) ?? value) : value),
    z.enum(TopicCompression),
  ),
  { kind: 'also', schema: { type: 'string', pattern: anyCasePattern(TopicCompression) } },
);

/** A SmartModule reference inside a topic config (`deduplication.filter.transform`). */
const TopicTransformSchema = z.strictObject({
  uses: z.string({ error: 'expected a SmartModule name such as "fluvio/dedup-bloom-filter@0.1.0"' }).min(1),
  with: z.record(z.string(), z.string({ error: 'expected a string (quote numbers and booleans)' })).optional(),
});

/**
 * The `meta.topic` object of an apiVersion 0.2.0 config: how to create the topic when it is missing
 * (FL `fluvio-controlplane-metadata/src/topic/config.rs` `TopicConfig`, kebab-case keys).
 * Validated and kept in `spec.topic.config`; the local store does not use it yet. Durations are in ms.
 *
 * @example
 * ```yaml
 * topic:
 *   meta: {name: events}
 *   partition: {count: 3, replication: 1, max-size: 1.0 KB, ignore-rack-assignment: true}
 *   retention: {time: 2m, segment-size: 2.0 KB}
 *   compression: {type: Lz4}
 *   deduplication: {bounds: {count: 100, age: 1m}, filter: {transform: {uses: fluvio/dedup-bloom-filter@0.1.0}}}
 * ```
 */
export const TopicConfigSchema = z.strictObject({
  version: z.string({ error: 'expected a topic config version such as "0.1.0"' }).optional(),
  meta: z.strictObject({ name: TopicNameSchema }),
  partition: z
    .strictObject({
      count: wholeNumber(1, 'a partition count'),
      replication: wholeNumber(1, 'a replication factor'),
      'max-size': ByteSizeSchema,
      'ignore-rack-assignment': z.boolean({ error: 'expected true or false' }),
    })
    .partial()
    .optional(),
  retention: z
    .strictObject({
      // An age kept by Fluvio, not a timer of ours: up to a century.
      time: durationSchema({ max: '100y' }),
      'segment-size': ByteSizeSchema,
    })
    .partial()
    .optional(),
  compression: z.strictObject({ type: TopicCompressionSchema }).optional(),
  deduplication: z
    .strictObject({
      bounds: z.strictObject({ count: wholeNumber(1, 'a record count'), age: durationSchema({ max: '100y' }).optional() }),
      filter: z.strictObject({ transform: TopicTransformSchema }),
    })
    .optional(),
});

/** Validated 0.2.0 topic config (durations in ms). */
export type TopicConfig = z.output<typeof TopicConfigSchema>;
