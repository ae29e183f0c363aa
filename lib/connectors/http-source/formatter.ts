import type { HttpResponse } from '../../core/http';
import type { HttpSourceConfig } from './schema';
import { canonicalReason, versionLabel } from './status';

/** Status line and headers of a response, normalised the way Fluvio's formatter sees them. */
export interface ResponseHead {
  /** Version as Rust's `Debug` prints it: `HTTP/1.1`, `HTTP/2.0`. */
  readonly version: string;
  /** Status code, e.g. 200. */
  readonly code: number;
  /** Canonical reason phrase of `code` (not the server's), `undefined` for unnamed codes. */
  readonly reason: string | undefined;
  /**
   * Header pairs with lower-case names, in reqwest `HeaderMap` iteration order: names in order of
   * first appearance on the wire, the values of a repeated name together, in wire order.
   */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** The two options that choose the record shape (Fluvio's `output_parts` and `output_type`). */
export type OutputShape = Pick<HttpSourceConfig, 'output_parts' | 'output_type'>;

/** A body to format: raw bytes, or text already decoded (streaming with a non-UTF-8 charset). */
export type RecordBody = Uint8Array | string;

/** Turns one body (periodic: the whole response body; streaming: one segment) into a record value. */
export type BodyFormatter = (body: RecordBody) => string | Uint8Array;

/**
 * Builds the {@link ResponseHead} of a response: header names lower-cased and grouped as reqwest's
 * `HeaderMap` iterates them, version as `HTTP/x.y`, canonical reason phrase.
 */
export function responseHead(response: Pick<HttpResponse, 'httpVersion' | 'status' | 'headers'>): ResponseHead {
  const groups = new Map<string, string[]>();
  for (const [name, value] of response.headers) {
    const key = name.toLowerCase();
    const values = groups.get(key);
    if (values) values.push(value);
    else groups.set(key, [value]);
  }
  const headers = [...groups].flatMap(([name, values]) => values.map((value) => [name, value] as const));
  return {
    version: versionLabel(response.httpVersion),
    code: response.status,
    reason: canonicalReason(response.status),
    headers,
  };
}

/**
 * The `header` object of Fluvio's `json/full` output: names sorted (Rust `BTreeMap` order), a
 * name seen once maps to its value, a repeated name to the array of its values in wire order.
 */
export function jsonHeaders(head: ResponseHead): Record<string, string | string[]> {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of head.headers) {
    const values = grouped.get(name);
    if (values) values.push(value);
    else grouped.set(name, [value]);
  }
  const out: Record<string, string | string[]> = {};
  for (const name of [...grouped.keys()].sort()) {
    const values = grouped.get(name)!;
    out[name] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

/**
 * Creates the formatter for one response, reproducing Fluvio's http-source record shapes
 * (`formatter/text_formatter.rs`, `formatter/json_formatter.rs`):
 *
 * - `text` + `body`: the body as is (bytes untouched; Fluvio re-encodes it as UTF-8 text).
 * - `text` + `full`: `HTTP/1.1 200 OK\n<name>: <value>\n…\n\n<body>`, one line per header value.
 * - `json` + `body`: `{"body":"<body text>"}` (the body is a JSON string, never parsed).
 * - `json` + `full`: `{"status":{"version":"HTTP/1.1","code":200,"string":"OK"},"header":{…},"body":"…"}`;
 *   `string` is omitted for a code without a canonical phrase.
 *
 * The status line and headers are rendered once per response, so a streaming response repeats
 * the same prefix on every segment cheaply.
 *
 * @param head - gives the response's {@link ResponseHead}; called once, and only for the `full` shapes
 *   (building it lower-cases and groups every header: work a `body` record, the default, never needs).
 * @param decode - turns body bytes into text (the response charset); used by every shape except
 *   `text` + `body`.
 */
export function createBodyFormatter(shape: OutputShape, responseHead: () => ResponseHead, decode: (bytes: Uint8Array) => string): BodyFormatter {
  const text = (body: RecordBody): string => (typeof body === 'string' ? body : decode(body));
  if (shape.output_parts === 'body') {
    if (shape.output_type === 'text') return (body) => body;
    return (body) => `{"body":${JSON.stringify(text(body))}}`;
  }
  const head = responseHead();
  if (shape.output_type === 'text') {
    const statusLine = [head.version, String(head.code), head.reason ?? ''].join(' ');
    const headerLines = head.headers.map(([name, value]) => `${name}: ${value}`).join('\n');
    const prefix = `${statusLine}\n${headerLines}\n\n`;
    return (body) => prefix + text(body);
  }
  const status = { version: head.version, code: head.code, string: head.reason };
  const prefix = `{"status":${JSON.stringify(status)},"header":${JSON.stringify(jsonHeaders(head))},"body":`;
  return (body) => `${prefix}${JSON.stringify(text(body))}}`;
}
