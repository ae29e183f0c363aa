import { z } from 'zod';

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * One `headers` entry of Fluvio's HTTP connectors (http-source, http-sink): `"Name: value"`, split
 * at the first `:` (as Fluvio does). Unlike Fluvio, an entry without `:` or with an invalid name
 * is a config error, not silently dropped. Output: `[name, value]` with the value trimmed.
 * @example HeaderLineSchema.parse('Accept: text/plain') // ['Accept', 'text/plain']
 */
export const HeaderLineSchema = z.string().transform((line, ctx) => {
  const colon = line.indexOf(':');
  const name = colon < 0 ? '' : line.slice(0, colon).trim();
  if (colon < 0 || !HEADER_NAME.test(name)) {
    ctx.addIssue({
      code: 'custom',
      input: line,
      message: 'expected a header as "Name: value" (a token name, a colon, then the value)',
    });
    return z.NEVER;
  }
  return [name, line.slice(colon + 1).trim()] as const;
});
