import { z } from 'zod';
import { noteJsonSchema } from './json-schema-notes';

/**
 * HTTP field schemas shared by the HTTP connectors (http-source; http-sink and others reuse them):
 * header lines, header values, methods and endpoint URLs, checked so that Node's HTTP client never
 * refuses (or, worse, smuggles) what the config says. References: RFC 9110 (tokens, field values),
 * the WHATWG URL parser Node uses, and Node's own header checks (`ERR_INVALID_CHAR`).
 */

/** An RFC 9110 token (`tchar+`): header names and methods. */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether `text` is an RFC 9110 token (a valid header name or method). */
export function isHttpToken(text: string): boolean {
  return HTTP_TOKEN.test(text);
}

/**
 * Characters a header value may hold: what Node's client accepts (`[\t\x20-\x7e\x80-\xff]`, RFC 9110
 * `field-value` with obs-text). CR, LF and NUL are what request smuggling and header injection use.
 */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Message for a header value with a character HTTP does not allow. */
export const HEADER_VALUE_RULE = 'expected a header value without control characters (CR, LF, NUL…) or characters above U+00FF';

/** Why `value` cannot be a header value, or `undefined` when it can. Never repeats the value (it may hold a secret). */
export function headerValueProblem(value: string): string | undefined {
  return FIELD_VALUE.test(value) ? undefined : HEADER_VALUE_RULE;
}

/**
 * Headers the HTTP client sets itself and a config may not: a wrong `Host`, `Content-Length` or
 * `Transfer-Encoding` makes the request ambiguous to servers and proxies (request smuggling).
 */
export const CLIENT_OWNED_HEADERS: readonly string[] = ['Host', 'Content-Length', 'Transfer-Encoding'];

/** A header value (e.g. `user_agent`): any text Node's HTTP client sends as is (see {@link headerValueProblem}). */
export const HttpHeaderValueSchema = z.string().superRefine((value, ctx) => {
  const problem = headerValueProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', input: value, message: problem });
});

/**
 * One `headers` entry: `"Name: value"`, split at the first `:` (as Fluvio does), the value trimmed.
 * Unlike Fluvio, an entry without `:`, with a name that is not a token, a value with CR/LF/NUL, or a
 * header the client owns ({@link CLIENT_OWNED_HEADERS}) is a config error, not dropped or sent.
 * Output: `[name, value]`.
 * @example HttpHeaderLineSchema.parse('Accept: application/json') // ['Accept', 'application/json']
 */
export const HttpHeaderLineSchema = noteJsonSchema(z.string().transform((line, ctx) => {
  const colon = line.indexOf(':');
  const name = colon < 0 ? '' : line.slice(0, colon).trim();
  if (colon < 0 || !isHttpToken(name)) {
    ctx.addIssue({ code: 'custom', input: line, message: 'expected a header as "Name: value" (a token name, a colon, then the value)' });
    return z.NEVER;
  }
  const owned = CLIENT_OWNED_HEADERS.find((header) => header.toLowerCase() === name.toLowerCase());
  if (owned) {
    ctx.addIssue({ code: 'custom', input: line, message: `expected no ${owned} header: the HTTP client sets it itself` });
    return z.NEVER;
  }
  const value = line.slice(colon + 1).trim();
  const problem = headerValueProblem(value);
  if (problem) {
    ctx.addIssue({ code: 'custom', input: line, message: problem });
    return z.NEVER;
  }
  return [name, value] as const;
}), { kind: 'instead', schema: { type: 'string', pattern: "^\\s*[!#$%&'*+\\-.^_`|~0-9A-Za-z]+\\s*:" } });

/** The methods RFC 9110 (and RFC 5789 for PATCH) define; others are sent as written, with a warning. */
export const STANDARD_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH'];

/**
 * An HTTP method: an RFC 9110 token, sent as written (methods are case-sensitive). `CONNECT` is
 * refused: it opens a tunnel and never yields a response. Connectors warn about a method outside
 * {@link STANDARD_METHODS} (see {@link methodWarning}).
 */
export const HttpMethodSchema = z
  .string({ error: 'expected an HTTP method such as GET or POST' })
  .regex(HTTP_TOKEN, 'expected an HTTP method such as GET or POST (a token: letters, digits, no spaces)')
  .refine((method) => method.toUpperCase() !== 'CONNECT', 'expected a method other than CONNECT (it opens a tunnel, not a request)');

/** The warning for a method outside {@link STANDARD_METHODS}, or `undefined` for a standard one. */
export function methodWarning(method: string): string | undefined {
  if (STANDARD_METHODS.includes(method)) return undefined;
  const standard = STANDARD_METHODS.find((known) => known === method.toUpperCase());
  return standard
    ? `not a standard HTTP method: methods are case-sensitive, did you mean "${standard}"? (sent as written)`
    : 'not a standard HTTP method (sent as written; the endpoint may refuse it)';
}

/** Options of {@link httpUrlSchema}. */
export interface HttpUrlOptions {
  /** Accepted schemes, without `:`; default `['http', 'https']`. */
  protocols?: readonly string[];
  /** Extra text after "expected an absolute http:// or https:// URL" for a scheme that is refused (e.g. WebSocket). */
  schemeHint?: Readonly<Record<string, string>>;
}

/**
 * Why `text` is not an endpoint URL, or `undefined`. The checks the WHATWG parser (`new URL`) does
 * not make, since it "repairs" rather than refuses: `http:///path` would request host `path`, tabs
 * and newlines are silently removed, `%zz` is kept. Refused: spaces and control characters, a
 * missing or empty host (`http:///x`, `http://:80/`), a host of dots or with an empty label, port
 * 0, credentials (`user:password@`), and a `%` not followed by two hex digits.
 */
export function urlProblem(text: string, options: HttpUrlOptions = {}): string | undefined {
  const protocols = options.protocols ?? ['http', 'https'];
  const expected = `expected an absolute ${protocols.map((p) => `${p}://`).join(' or ')} URL`;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && !protocols.includes(scheme)) return `${expected}${options.schemeHint?.[scheme] ?? ''}`;
  if (scheme === undefined || !text.slice(scheme.length + 1).startsWith('//')) return expected;
  if (/[\x00-\x20\x7f]/.test(text)) return `${expected} without spaces or control characters (percent-encode them)`;
  const authority = text.slice(scheme.length + 3).split(/[/?#]/, 1)[0] ?? '';
  if (authority.includes('@')) {
    return 'expected a URL without credentials (user:password@): send them in a header instead, e.g. headers: ["Authorization: Basic ${{ secrets.NAME }}"]';
  }
  if (authority === '' || authority.startsWith(':')) return `${expected} with a host name`;
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return `${expected} with valid percent escapes (% and two hex digits)`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return expected;
  }
  const host = url.hostname.replace(/\.$/, '');
  if (!host.startsWith('[') && host.split('.').some((label) => label === '')) return `${expected} with a host name (not dots or an empty label)`;
  if (url.port === '0') return `${expected} with a port from 1 to 65535`;
  return undefined;
}

/**
 * An endpoint URL (see {@link urlProblem} for what is refused). Output: the URL as written.
 * @example httpUrlSchema().parse('https://example.com/api') // 'https://example.com/api'
 */
export function httpUrlSchema(options: HttpUrlOptions = {}) {
  const protocols = options.protocols ?? ['http', 'https'];
  const message = `expected an absolute ${protocols.map((p) => `${p}://`).join(' or ')} URL`;
  return z.string({ error: message }).superRefine((text, ctx) => {
    const problem = urlProblem(text, options);
    if (problem) ctx.addIssue({ code: 'custom', input: text, message: problem });
  });
}

/** {@link HttpHeaderLineSchema} under the name the HTTP connectors import (http-source, http-sink). */
export const HeaderLineSchema = HttpHeaderLineSchema;
