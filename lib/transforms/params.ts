import { z } from 'zod';
import type { Json } from './json';

/**
 * A `with` parameter holding JSON (a mapping or list written in YAML arrives as JSON text, see
 * `TransformParameterSchema`), compiled by `compile`. A compile error `{ path, message }` becomes
 * an issue at `with.<name>.<path…>`, so the config loader points at the offending YAML node.
 */
export function jsonParameter<T>(what: string, compile: (value: Json) => T, toIssue: (err: unknown) => { path: (string | number)[]; message: string; target?: 'key' | 'value' } | undefined) {
  return z.string({ error: `expected ${what}` }).transform((text, ctx): T => {
    let value: Json;
    try {
      value = JSON.parse(text) as Json;
    } catch {
      ctx.addIssue({ code: 'custom', input: text, message: `expected ${what} (a YAML mapping or list, or its JSON text)` });
      return z.NEVER;
    }
    try {
      return compile(value);
    } catch (err) {
      const issue = toIssue(err);
      if (!issue) throw err;
      ctx.addIssue({ code: 'custom', path: issue.path, input: undefined, message: issue.message, params: { raw: true, target: issue.target ?? 'value' } });
      return z.NEVER;
    }
  });
}
