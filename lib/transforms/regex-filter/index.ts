import { z } from 'zod';
import type { TransformDefinition } from '../definition';

/**
 * Compiles a Rust `regex` crate pattern (what `infinyon/regex-filter` uses) as a JavaScript
 * `RegExp` with the `u` flag. Leading inline flags `(?i)`, `(?m)`, `(?s)` (and combinations such
 * as `(?is)`) become RegExp flags, since JavaScript (Node 20) has no inline flags.
 * @throws Error for a pattern JavaScript cannot compile, or Rust flags with no equivalent (`x`, `U`).
 * @example rustRegex('(?i)^cat').test('Cats') // true
 */
export function rustRegex(pattern: string): RegExp {
  let flags = 'u';
  let body = pattern;
  const inline = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  if (inline) {
    for (const flag of inline[1] as string) {
      if (!'ims'.includes(flag)) throw new Error(`inline flag "${flag}" has no JavaScript equivalent (supported: i, m, s)`);
      if (!flags.includes(flag)) flags += flag;
    }
    body = pattern.slice(inline[0].length);
  }
  return new RegExp(body, flags);
}

/**
 * `infinyon/regex-filter` (Hub filter SmartModule): keeps a record when its value (UTF-8 text)
 * contains a match of `with.regex` (Rust `Regex::is_match`: anywhere in the value).
 */
export const RegexFilterParamsSchema = z.strictObject({
  regex: z
    .string({ error: 'expected a regular expression' })
    .transform((pattern, ctx) => {
      try {
        return rustRegex(pattern);
      } catch (err) {
        ctx.addIssue({ code: 'custom', input: pattern, message: `expected a regular expression (${(err as Error).message})` });
        return z.NEVER;
      }
    })
    .describe('The regular expression; a record is kept when its value contains a match. Leading `(?i)`, `(?m)`, `(?s)` flags are understood.'),
});

export const regexFilter: TransformDefinition<typeof RegexFilterParamsSchema> = {
  name: 'infinyon/regex-filter',
  kind: 'filter',
  summary: 'keep records whose value matches a regular expression',
  params: RegexFilterParamsSchema,
  load: async () => {
    const [{ perRecordStep }, { recordText }] = await Promise.all([import('../per-record'), import('../json')]);
    return { create: (params) => perRecordStep({ kind: 'filter', fn: (record) => params.regex.test(recordText(record.value)) }) };
  },
};
