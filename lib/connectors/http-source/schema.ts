import { z } from 'zod';
import { durationSchema, formatDuration, withDurationOptIns } from '../../schema/duration';
import { HttpHeaderLineSchema, HttpHeaderValueSchema, HttpMethodSchema, httpUrlSchema } from '../../schema/http';

/** Fluvio http-source 0.5.0's default `user_agent`, kept so endpoints see the same client. */
export const DEFAULT_USER_AGENT = 'fluvio/http-source 0.5.0';

/**
 * One `headers` entry: `"Name: value"` (see `HttpHeaderLineSchema` in lib/schema: a token name, a
 * value without CR/LF/NUL, not a header the client owns). Output: `[name, value]`.
 */
export const HeaderLineSchema = HttpHeaderLineSchema;

/** Most polls a periodic source makes per second by default: `interval` ≥ 100 ms unless `allow_fast_interval`. */
export const MIN_INTERVAL = '100ms';

/** Most retries of one poll (`max_retries`): they all happen within one interval slot anyway. */
export const MAX_RETRIES = 100;

/** The fields of the `http:` section (see {@link HttpSourceConfigSchema}). */
const HttpSourceFields = z
  .strictObject({
    endpoint: httpUrlSchema({ schemeHint: { ws: ' (WebSocket endpoints are not supported yet)', wss: ' (WebSocket endpoints are not supported yet)' } }).describe(
      'URL to request: a host, a port from 1 to 65535, no `user:password@` (put credentials in `headers` with a secret). `ws://`/`wss://` (Fluvio\'s WebSocket mode) is not supported yet.',
    ),
    method: HttpMethodSchema.default('GET').describe('HTTP method, sent as written (case-sensitive). `CONNECT` is refused; a non-standard method is a warning.'),
    headers: z
      .array(HeaderLineSchema)
      .default([])
      .describe('Request headers as a list of "Name: value" strings. May use `${{ secrets.NAME }}`. Values may not hold CR, LF or NUL; `Host`, `Content-Length` and `Transfer-Encoding` are set by the client and refused here.'),
    body: z.string().optional().describe('Request body, sent with every request (a warning with GET or HEAD).'),
    user_agent: HttpHeaderValueSchema.default(DEFAULT_USER_AGENT)
      .describe('User-Agent header (alias `user-agent`). A `User-Agent` entry in `headers` wins.'),
    interval: durationSchema({ min: MIN_INTERVAL, max: '24d', optIn: { min: '1ms', flag: 'allow_fast_interval' } })
      .prefault('10s')
      .describe('Periodic mode: time between the starts of two polls (humantime, e.g. `2s`; a legacy integer is seconds). First poll at once; fixed rate; missed slots are skipped, never burst. Ignored (a warning) with `stream: true`.'),
    allow_fast_interval: z
      .boolean()
      .default(false)
      .describe('Ours. Allows an `interval` below 100ms (down to 1ms). **Warning:** at 1ms a connector sends up to 1,000 requests a second to its endpoint; use it only against an endpoint you own.'),
    stream: z.boolean().default(false).describe('Streaming mode: keep one response open and split it into records on `delimiter`.'),
    delimiter: z
      .string()
      .min(1)
      .default('\n')
      .describe('Streaming mode: record separator, may be multi-byte (e.g. "\\n\\n" for SSE). Ignored (a warning) without `stream: true`.'),
    output_parts: z
      .enum(['body', 'full'])
      .default('body')
      .describe('`body`: the response body only; `full`: status line and headers too.'),
    output_type: z.enum(['text', 'json']).default('text').describe('`text` or `json` record shape (see README).'),
    request_timeout: durationSchema({ min: '10ms', max: '1h' })
      .prefault('30s')
      .describe('Ours. Periodic mode: limit for one whole request; streaming mode: limit until the response headers arrive.'),
    produce_any_status: z
      .boolean()
      .default(false)
      .describe('Ours. `true` restores Fluvio\'s behaviour of producing non-2xx responses as records. Default: they are logged and counted, not produced.'),
    max_retries: z
      .number({ error: `expected a number of retries (a whole number from 0 to ${MAX_RETRIES})` })
      .int(`expected a number of retries (a whole number from 0 to ${MAX_RETRIES})`)
      .min(0, `expected a number of retries (a whole number from 0 to ${MAX_RETRIES})`)
      .max(MAX_RETRIES, `expected a number of retries (a whole number from 0 to ${MAX_RETRIES})`)
      .default(3)
      .describe('Ours. Periodic mode: retries of a poll that failed with a network error, a timeout, 429 or 5xx, within its interval slot.'),
    backoff_min: durationSchema({ min: '1ms', max: '1h' })
      .prefault('200ms')
      .describe('Ours. First retry / reconnect delay; grows exponentially with jitter. At most `backoff_max`.'),
    backoff_max: durationSchema({ min: '100ms', max: '1h' })
      .prefault('30s')
      .describe('Ours. Cap of the retry / reconnect delay (so a failing endpoint is tried at most ten times a second). A `Retry-After` header is honoured up to this cap.'),
  })
  .superRefine((config, ctx) => {
    if (config.backoff_min > config.backoff_max) {
      const message = `expected backoff_min ≤ backoff_max (${formatDuration(config.backoff_max)}; backoff_min defaults to 200ms)`;
      ctx.addIssue({ code: 'custom', path: ['backoff_min'], input: config.backoff_min, message });
    }
  });

/**
 * The `http:` section of an http-source config (legacy: `parameters:` of `type: http`).
 * Field names and defaults follow infinyon/http-source-connector 0.5.0; fields marked "ours" are
 * additions of this project. Every duration is bounded (see the options table); cross-field errors:
 * `backoff_min` ≤ `backoff_max`, `interval` ≥ 100ms unless `allow_fast_interval`. Cross-field
 * warnings are in `httpSourceWarnings`.
 *
 * @example
 * ```yaml
 * http:
 *   endpoint: "https://demo-data.infinyon.com/api/quote"
 *   interval: 2s
 * ```
 */
export const HttpSourceConfigSchema = withDurationOptIns(HttpSourceFields)
  .describe('http-source: polls an HTTP endpoint, or keeps a streaming response open, and produces each response or segment as a record.');

/** Validated http-source config (output of {@link HttpSourceConfigSchema}); durations in milliseconds. */
export type HttpSourceConfig = z.output<typeof HttpSourceConfigSchema>;
