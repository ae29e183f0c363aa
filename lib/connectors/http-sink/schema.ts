import { z } from 'zod';
import { durationSchema } from '../../schema/duration';
import { HeaderLineSchema } from '../../schema/http';

/** Fluvio http-sink 0.3.0's default `user_agent`, kept so endpoints see the same client. */
export const DEFAULT_USER_AGENT = 'fluvio/http-sink 0.3.0';

/** Fluvio http-sink's default `headers` (any `headers` given replace it entirely). */
export const DEFAULT_HEADERS = ['Content-Type: text/html'] as const;

/**
 * The `http:` section of an http-sink config (infinyon/http-sink-connector 0.3.0,
 * `crates/http-sink/src/config.rs`; legacy: `parameters:`). Fields marked "ours" are additions.
 *
 * @example
 * ```yaml
 * http:
 *   endpoint: "https://example.com/ingest"
 *   headers: ["Content-Type: application/json", "Authorization: Bearer ${{ secrets.TOKEN }}"]
 *   http_request_timeout: 5s
 * ```
 */
export const HttpSinkConfigSchema = z
  .strictObject({
    endpoint: z
      .url({ protocol: /^https?$/, error: 'expected an absolute http:// or https:// URL' })
      .describe('URL every record is sent to. May use `${{ secrets.NAME }}`.'),
    method: z
      .string()
      .regex(/^[A-Z]+$/, 'expected an upper-case HTTP method such as POST or PUT')
      .default('POST')
      .describe('HTTP method, sent as written.'),
    headers: z
      .array(HeaderLineSchema)
      .prefault([...DEFAULT_HEADERS])
      .describe('Request headers as a list of "Name: value" strings; any list given replaces the default entirely (as in Fluvio). May use `${{ secrets.NAME }}`.'),
    user_agent: z
      .string()
      .default(DEFAULT_USER_AGENT)
      .describe('User-Agent header (alias `user-agent`). A `User-Agent` entry in `headers` wins.'),
    http_request_timeout: durationSchema()
      .prefault('15s')
      .describe('Limit for one whole request (connect, send, response), humantime. Past it the request counts as a network error and is retried.'),
    http_connect_timeout: durationSchema()
      .prefault('1s')
      .describe('Limit for establishing the connection, humantime.'),
    backoff_min: durationSchema()
      .prefault('1s')
      .describe('First retry delay after a failed request; grows exponentially with jitter.'),
    backoff_max: durationSchema()
      .prefault('60s')
      .describe('Cap of the retry delay. A `Retry-After` header is honoured up to this cap.'),
    max_retries: z
      .number({ error: 'expected a whole number of retries' })
      .int('expected a whole number of retries')
      .min(0, 'expected a whole number of retries')
      .default(10)
      .describe('Ours. Retries of a record that failed with a network error, a timeout, 429 or 5xx (about 5 minutes with the default backoff); then it goes to the dead-letter topic.'),
    interval: z
      .union([z.string(), z.number()])
      .optional()
      .describe('Accepted for compatibility with Fluvio\'s README examples, and ignored (as Fluvio does): records are sent as they arrive.'),
  })
  .describe('http-sink: sends each record of the topic to an HTTP endpoint, one request per record.');

/** Validated http-sink config (output of {@link HttpSinkConfigSchema}); durations in milliseconds. */
export type HttpSinkConfig = z.output<typeof HttpSinkConfigSchema>;
