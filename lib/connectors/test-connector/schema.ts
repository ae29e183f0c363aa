import { z } from 'zod';
import { durationSchema } from '../../schema/duration';
import { wholeNumber } from '../../schema/fields';

/**
 * Parameters of the legacy Fluvio `test-connector` (apiVersion section `test:`).
 * Legacy parameter values may be written as strings (`count: "10"`), as Fluvio passes them as flags;
 * in apiVersion configs `count` is a YAML number.
 *
 * @example
 * ```yaml
 * parameters:
 *   count: 10
 *   timeout: 500ms
 * ```
 */
export const TestConnectorConfigSchema = z
  .strictObject({
    count: wholeNumber(1, 'a record count')
      .optional()
      .describe('Number of records to produce, then stop: a whole number ≥ 1. Unbounded when absent. (Fluvio\'s produces count-1; we produce exactly count.)'),
    timeout: durationSchema({ min: '1ms', max: '24d' })
      .prefault('1000ms')
      .describe('Pause between two records (humantime, e.g. `500ms`). A legacy integer is milliseconds, as Fluvio\'s test-connector documents it (`timeout: 500`).'),
    topic: z
      .string()
      .optional()
      .describe('Accepted for compatibility with Fluvio\'s examples (`parameters.topic`); the record topic is the config\'s `topic`.'),
  })
  .describe('test-connector: produces `Hello, Fluvio! - N` records, N = 1, 2, …');

/** Validated test-connector config; `timeout` in milliseconds. */
export type TestConnectorConfig = z.output<typeof TestConnectorConfigSchema>;
