import { z } from 'zod';
import { durationSchema } from '../../schema/duration';
import { HeaderLineSchema } from '../../schema/http';

/** Fluvio http-source 0.5.0's default `user_agent`, kept so endpoints see the same client. */
export const DEFAULT_USER_AGENT = 'fluvio/http-source 0.5.0';

export { HeaderLineSchema };

/**
 * The `http:` section of an http-source config (legacy: `parameters:` of `type: http`).
 * Field names and defaults follow infinyon/http-source-connector 0.5.0; fields marked "ours" are
 * additions of this project.
 *
 * @example
 * ```yaml
 * http:
 *   endpoint: "https://demo-data.infinyon.com/api/quote"
 *   interval: 2s
 * ```
 */
export const HttpSourceConfigSchema = z
  .strictObject({
    endpoint: z
      .url({ protocol: /^https?$/, error: 'expected an absolute http:// or https:// URL' })
      .describe('URL to request. `ws://`/`wss://` (Fluvio\'s WebSocket mode) is not supported yet.'),
    method: z
      .string()
      .regex(/^[A-Z]+$/, 'expected an upper-case HTTP method such as GET or POST')
      .default('GET')
      .describe('HTTP method, sent as written.'),
    headers: z
      .array(HeaderLineSchema)
      .default([])
      .describe('Request headers as a list of "Name: value" strings. May use `${{ secrets.NAME }}`.'),
    body: z.string().optional().describe('Request body, sent with every request.'),
    user_agent: z
      .string()
      .default(DEFAULT_USER_AGENT)
      .describe('User-Agent header (alias `user-agent`). A `User-Agent` entry in `headers` wins.'),
    interval: durationSchema()
      .prefault('10s')
      .describe('Periodic mode: time between the starts of two polls (humantime, e.g. `2s`; a legacy integer is seconds). First poll at once; fixed rate; missed slots are skipped, never burst.'),
    stream: z.boolean().default(false).describe('Streaming mode: keep one response open and split it into records on `delimiter`.'),
    delimiter: z.string().min(1).default('\n').describe('Streaming mode: record separator, may be multi-byte (e.g. "\\n\\n" for SSE).'),
    output_parts: z
      .enum(['body', 'full'])
      .default('body')
      .describe('`body`: the response body only; `full`: status line and headers too.'),
    output_type: z.enum(['text', 'json']).default('text').describe('`text` or `json` record shape (see README).'),
    request_timeout: durationSchema()
      .prefault('30s')
      .describe('Ours. Periodic mode: limit for one whole request; streaming mode: limit until the response headers arrive.'),
    produce_any_status: z
      .boolean()
      .default(false)
      .describe('Ours. `true` restores Fluvio\'s behaviour of producing non-2xx responses as records. Default: they are logged and counted, not produced.'),
    max_retries: z
      .number()
      .int()
      .min(0)
      .default(3)
      .describe('Ours. Periodic mode: retries of a poll that failed with a network error, a timeout, 429 or 5xx, within its interval slot.'),
    backoff_min: durationSchema()
      .prefault('200ms')
      .describe('Ours. First retry / reconnect delay; grows exponentially with jitter.'),
    backoff_max: durationSchema()
      .prefault('30s')
      .describe('Ours. Cap of the retry / reconnect delay. A `Retry-After` header is honoured up to this cap.'),
  })
  .describe('http-source: polls an HTTP endpoint, or keeps a streaming response open, and produces each response or segment as a record.');

/** Validated http-source config (output of {@link HttpSourceConfigSchema}); durations in milliseconds. */
export type HttpSourceConfig = z.output<typeof HttpSourceConfigSchema>;
