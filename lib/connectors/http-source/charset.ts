import { MIMEType } from 'node:util';
import type { Logger } from '../../core/log';

/** WHATWG name of UTF-8, the default body encoding. */
export const UTF8 = 'utf-8';

/**
 * The `charset` parameter of a `Content-Type` value (quotes removed), or `undefined` when the
 * header is absent, has no charset, or is not a valid MIME type (reqwest then assumes UTF-8 too).
 *
 * @example charsetLabel('text/plain; charset="ISO-8859-1"') // 'ISO-8859-1'
 */
export function charsetLabel(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  try {
    return new MIMEType(contentType).params.get('charset') ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * The WHATWG encoding name (as `TextDecoder#encoding` reports it) for a charset label, or
 * `undefined` when `TextDecoder` does not support the label.
 */
export function encodingFor(label: string): string | undefined {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
}

/**
 * Picks the encoding used to turn response bytes into text, as Fluvio does (reqwest's
 * `Response::text()` and the streaming source's `transfer_encoding`): the `charset` of the first
 * `Content-Type` header, resolved with the WHATWG label table (`latin1` → `windows-1252`),
 * default UTF-8. An unknown charset falls back to UTF-8 (Fluvio does so silently); we log a
 * warning, once per label for the lifetime of this resolver (one per source).
 */
export class CharsetResolver {
  private readonly warned = new Set<string>();

  /**
   * @param headers - response header pairs (any name case).
   * @param log - where the unknown-charset warning goes.
   * @returns a WHATWG encoding name accepted by `TextDecoder`, e.g. `utf-8`, `windows-1252`.
   */
  resolve(headers: ReadonlyArray<readonly [string, string]>, log: Logger): string {
    const contentType = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
    const label = charsetLabel(contentType);
    if (label === undefined) return UTF8;
    const encoding = encodingFor(label);
    if (encoding !== undefined) return encoding;
    const key = label.toLowerCase();
    if (!this.warned.has(key)) {
      this.warned.add(key);
      log.warn({ charset: label, contentType }, 'unknown response charset; decoding the body as UTF-8');
    }
    return UTF8;
  }
}

/**
 * Decodes a whole body with `encoding` (WHATWG name), replacing invalid sequences with U+FFFD.
 *
 * Always goes through `TextDecoder`'s streaming path: since Node 20.18.3 the one-shot
 * `decode(bytes)` of `windows-1252` (also used for the `latin1`/`iso-8859-1` labels) takes a
 * Latin-1 fast path that maps 0x80–0x9F wrongly (nodejs/node#56542, #60888); the streaming path
 * uses ICU and is correct. The segmenter (`splitter.ts`) streams for the same reason.
 */
export function decodeText(bytes: Uint8Array, encoding: string): string {
  const decoder = new TextDecoder(encoding);
  return decoder.decode(bytes, { stream: true }) + decoder.decode();
}
