/**
 * Parses a `Retry-After` header value (RFC 9110 §10.2.3) into a wait in ms from `nowMs`:
 * delta-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`; a date in the past
 * gives 0).
 *
 * @returns the wait in ms, or `undefined` when the value is neither form.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined; // a bare or signed number is not a date
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
