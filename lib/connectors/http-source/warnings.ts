import { ErrorCode, type SectionWarning } from '../../core';
import { methodWarning } from '../../schema/http';
import type { HttpSourceConfig } from './schema';

/**
 * Located warnings of a valid http-source section (the definition's `warnings`): settings that
 * run, but probably not as meant.
 *
 * - `delimiter` without `stream: true`, `interval` or `max_retries` with it: ignored
 *   (CONFIG_IGNORED_FIELD);
 * - a non-standard or lower-case `method`, a `body` with GET or HEAD (RFC 9110: no defined
 *   meaning), `produce_any_status` with `stream` (error pages become records), a `delimiter` of
 *   spaces/tabs only or holding a backslash escape that YAML did not read (CONFIG_SUSPICIOUS_VALUE).
 *
 * @param written - the keys the user wrote (snake_case).
 */
export function httpSourceWarnings(config: HttpSourceConfig, written: ReadonlySet<string>): SectionWarning[] {
  const warnings: SectionWarning[] = [];
  const ignored = (path: string, message: string): void => void warnings.push({ path: [path], code: ErrorCode.CONFIG_IGNORED_FIELD, message });
  const suspicious = (path: string, message: string): void => void warnings.push({ path: [path], code: ErrorCode.CONFIG_SUSPICIOUS_VALUE, message });

  if (!config.stream && written.has('delimiter')) ignored('delimiter', 'ignored without stream: true (it splits a streaming response into records)');
  if (config.stream && written.has('interval')) ignored('interval', 'ignored with stream: true (a streaming connection stays open; interval paces periodic polls)');
  if (config.stream && written.has('max_retries')) ignored('max_retries', 'ignored with stream: true (a broken stream reconnects with backoff_min…backoff_max)');

  const method = methodWarning(config.method);
  if (method) suspicious('method', method);
  if (config.body !== undefined && (config.method === 'GET' || config.method === 'HEAD')) {
    suspicious('body', `a body with ${config.method} has no defined meaning (RFC 9110): servers may ignore or refuse it; use POST, or remove body`);
  }
  if (config.stream && config.produce_any_status) {
    suspicious('produce_any_status', 'with stream: true, a non-2xx response (an error page) is split into records like data, and the connector reconnects at once after each one');
  }
  if (config.stream || written.has('delimiter')) {
    if (/^[ \t]+$/.test(config.delimiter)) {
      suspicious('delimiter', 'the delimiter is only spaces or tabs, so every one splits a record; for line breaks write "\\n" in double quotes');
    } else if (/\\[nrt]/.test(config.delimiter) && !/[\n\r\t]/.test(config.delimiter)) {
      suspicious('delimiter', 'the delimiter holds a backslash escape (like \\n) as two characters: YAML reads escapes only in double quotes (write "\\n\\n")');
    }
  }
  return warnings;
}
