import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { ErrorCode } from '../core/errors';
import { quoteList } from './errors';
import { knownKeysAt } from '../schema/walk';
import type { IssueDetail, IssueTarget, PathSegment } from './yaml-source';

type ZodIssue = z.core.$ZodIssue;

/** What a custom zod issue may say about itself (`params` of `ctx.addIssue`). */
interface CustomParams {
  /** Error code; default CONFIG_INVALID_VALUE. */
  code?: ErrorCode;
  target?: IssueTarget;
  /** The message is the whole detail (no "invalid value X," in front). */
  raw?: boolean;
}

/** Context for turning zod issues into located config issues. */
export interface IssueContext {
  /** The schema that produced the issues (for the known keys of an object). */
  schema: z.ZodType;
  /** Suggestions for unknown top-level keys that belong elsewhere (`name` → `meta.name`). */
  topLevelHints?: Readonly<Record<string, string>>;
}

/**
 * The nearest of `candidates` to `key` (Levenshtein, `-` and `_` equal), only when it is close:
 * at most max(2, length/3) edits and fewer edits than either name has characters.
 */
export function suggestName(key: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const normal = (name: string): string => name.toLowerCase().replace(/-/g, '_');
  const byNormal = new Map(candidates.map((name) => [normal(name), name]));
  const best = closest(normal(key), [...byNormal.keys()]);
  const edits = distance(normal(key), best);
  const limit = Math.max(2, Math.floor(best.length / 3));
  return edits <= limit && edits < Math.min(key.length, best.length) ? byNormal.get(best) : undefined;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  null: 'null',
};

/** The "expected …" text of a zod issue: its own message when a schema wrote one, else built from the issue. */
function expectedText(issue: ZodIssue): string {
  if (issue.message.startsWith('expected')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `expected ${quoteList(issue.values)}` : `expected one of ${quoteList(issue.values)}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const word = issue.code === 'too_small' ? 'at least' : 'at most';
      if (issue.origin === 'string') return `expected ${word} ${bound} character${Number(bound) === 1 ? '' : 's'}`;
      if (issue.origin === 'array') return `expected ${word} ${bound} item${Number(bound) === 1 ? '' : 's'}`;
      const sign = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
      return `expected a number ${sign} ${bound}`;
    }
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue ? `expected text matching ${String(issue.pattern)}` : `expected a valid ${issue.format}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}`;
    default:
      return `expected a valid value (${issue.message})`;
  }
}

/** Whether a union branch failed on the value's type itself (not on something inside it). */
function wrongKind(issues: readonly ZodIssue[]): boolean {
  return issues.some((issue) => issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value'));
}

function unionDetails(issue: z.core.$ZodIssueInvalidUnion, path: PathSegment[], context: IssueContext, counter: { omitted: number }): IssueDetail[] {
  // Report the branch the value was meant for: the one that accepted its kind, with the fewest issues.
  const fitting = issue.errors.filter((branch) => !wrongKind(branch)).sort((a, b) => a.length - b.length)[0];
  if (fitting) return convertIssues(fitting, context, path, counter);
  const alternatives = [...new Set(issue.errors.flatMap((branch) => branch.filter((inner) => inner.path.length === 0)).map((inner) => expectedText(inner).replace(/^expected (one of )?/, '')))];
  const expected = `expected ${alternatives.join(' or ')}`;
  return [{ code: ErrorCode.CONFIG_INVALID_VALUE, path, detail: `invalid value {value}, ${expected}`, expected }];
}

function unknownFieldDetail(path: PathSegment[], key: string, context: IssueContext, known: readonly string[]): IssueDetail {
  const suggestion = (path.length === 0 ? context.topLevelHints?.[key] : undefined) ?? suggestName(key, known);
  const expected = `expected one of ${quoteList(known)}`;
  return {
    code: ErrorCode.CONFIG_UNKNOWN_FIELD,
    path: [...path, key],
    target: 'key',
    detail: suggestion ? `unknown field, did you mean "${suggestion}"?` : `unknown field, ${expected}`,
    expected,
    ...(suggestion ? { suggestion } : {}),
  };
}

/** Most unknown keys of one mapping turned into issues (the others are counted). */
const MAX_UNKNOWN_KEYS = 200;

/**
 * Turns zod issues (parsed with `reportInput: true`) into config issues, before location:
 * unknown keys → CONFIG_UNKNOWN_FIELD at the key with a suggestion; absent values →
 * CONFIG_MISSING_FIELD at the parent; union failures → the issues of the branch the value fits;
 * everything else → CONFIG_INVALID_VALUE "invalid value X, expected …". Missing fields at or under
 * an unknown key's suggestion (`parameters:` → "did you mean http?" explains a missing
 * `http.endpoint`) are not repeated. A missing field checked by a union (`meta.topic`) is
 * CONFIG_MISSING_FIELD too. At most 200 unknown keys of one mapping are converted; `omitted`
 * counts the others.
 */
export function toIssueDetails(issues: readonly ZodIssue[], context: IssueContext): { details: IssueDetail[]; omitted: number } {
  const counter = { omitted: 0 };
  const details = convertIssues(issues, context, [], counter);
  const suggested = details
    .filter((detail) => detail.code === ErrorCode.CONFIG_UNKNOWN_FIELD && detail.suggestion !== undefined)
    .map((detail) => [...detail.path.slice(0, -1), ...(detail.suggestion ?? '').split('.')]);
  const explained = (path: readonly PathSegment[]): boolean =>
    suggested.some((target) => target.length <= path.length && target.every((segment, index) => segment === path[index]));
  return { details: details.filter((detail) => detail.code !== ErrorCode.CONFIG_MISSING_FIELD || !explained(detail.path)), omitted: counter.omitted };
}

function convertIssues(issues: readonly ZodIssue[], context: IssueContext, prefix: readonly PathSegment[], counter: { omitted: number }): IssueDetail[] {
  return issues.flatMap((issue): IssueDetail[] => {
    const path = [...prefix, ...issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol')];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(context.schema, path);
        counter.omitted += Math.max(0, issue.keys.length - MAX_UNKNOWN_KEYS);
        return issue.keys.slice(0, MAX_UNKNOWN_KEYS).map((key) => unknownFieldDetail(path, key, context, known));
      }
      case 'invalid_union':
        if ('input' in issue && issue.input === undefined) {
          return [{ code: ErrorCode.CONFIG_MISSING_FIELD, path, target: 'parent', detail: 'missing required field' }];
        }
        return unionDetails(issue, path, context, counter);
      case 'invalid_key': {
        const expected = issue.issues[0] ? expectedText(issue.issues[0]) : 'expected a valid key';
        return [{ code: ErrorCode.CONFIG_INVALID_VALUE, path, target: 'key', detail: `invalid key, ${expected}`, expected }];
      }
      case 'custom': {
        const params = (issue.params ?? {}) as CustomParams;
        const code = params.code ?? ErrorCode.CONFIG_INVALID_VALUE;
        const detail = params.raw ? issue.message : `invalid value {value}, ${expectedText(issue)}`;
        return [{ code, path, detail, target: params.target ?? 'value', ...(params.raw ? {} : { expected: expectedText(issue) }) }];
      }
      default: {
        if (issue.code === 'invalid_type' && issue.input === undefined) {
          return [{ code: ErrorCode.CONFIG_MISSING_FIELD, path, target: 'parent', detail: 'missing required field' }];
        }
        const expected = expectedText(issue);
        const verb = issue.code === 'invalid_value' && issue.values.length > 1 ? 'unknown value' : 'invalid value';
        return [{ code: ErrorCode.CONFIG_INVALID_VALUE, path, detail: `${verb} {value}, ${expected}`, expected }];
      }
    }
  });
}
