import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { ConnectorError, ErrorCode } from '../core/errors';
import { suggestName } from './issues';
import { isPlainObject } from './normalize';
import type { IssueDetail, PathSegment } from './yaml-source';

/** Where secret values come from. */
export interface SecretValues {
  /** The value of a secret, or `undefined` when it has none. */
  lookup(name: string): string | undefined;
  /** For messages: where values were looked up, e.g. `'secrets file ./s.env or the environment'`. */
  describe: string;
}

/** A line dotenv reads as an assignment: `KEY=value`, `export KEY=value` or `KEY: value`. */
const ASSIGNMENT = /^\s*(?:export\s+)?[\w.-]+(?:\s*=|:\s)/;

/**
 * Rejects lines dotenv would skip silently (a typo there would otherwise surface as a confusing
 * "secret has no value"). Lines inside a quoted multi-line value are skipped. Never prints a line.
 */
function checkLines(text: string, file: string): void {
  let openQuote: string | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    if (openQuote !== undefined) {
      if (line.includes(openQuote)) openQuote = undefined;
      return;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    if (!ASSIGNMENT.test(line)) {
      throw new ConnectorError(`${file}:${index + 1}: malformed line in secrets file, expected NAME=value`, ErrorCode.SECRETS_FILE_INVALID);
    }
    const value = line.slice(line.search(/[=:]/) + 1).trimStart();
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && value.indexOf(quote, 1) < 0) openQuote = quote;
  });
}

/**
 * Secret values for `${{ secrets.NAME }}` (Fluvio `--secrets FILE`, else the environment). The file
 * has `NAME=value` lines, parsed with `dotenv.parse` (quotes, `#` comments and `export` as dotenv
 * reads them); a name in the file wins over the environment.
 *
 * @param options.file - secrets file; none: environment only.
 * @param options.env - the environment; default `process.env`.
 * @throws ConnectorError SECRETS_FILE_INVALID when the file cannot be read or has a line that is not
 *   an assignment (the message names the line number, never its content).
 * @example
 * const secrets = loadSecretValues({ file: 'secrets.env', env: process.env });
 * secrets.lookup('API_TOKEN');
 */
export function loadSecretValues(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): SecretValues {
  const env = options.env ?? process.env;
  const file = options.file;
  if (file === undefined) return { lookup: (name) => env[name], describe: 'the environment' };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConnectorError(`cannot read secrets file ${file}: ${(error as Error).message}`, ErrorCode.SECRETS_FILE_INVALID, { cause: error });
  }
  checkLines(text, file);
  const values = parseDotenv(text);
  return {
    lookup: (name) => (Object.hasOwn(values, name) ? values[name] : env[name]),
    describe: `secrets file ${file} or the environment`,
  };
}

/**
 * What a deferred secret reference renders as (see {@link RenderOptions.defer}): inside a longer
 * string always, as the whole string unless the connector declares a placeholder for the field
 * (`secretPlaceholders`, e.g. a URL for an `endpoint`).
 */
export const DEFERRED_SECRET = 'secret';

/** `${{ … }}` in a string (minijinja variable delimiters as Fluvio configures them). */
const TEMPLATE = /\$\{\{\s*(.*?)\s*\}\}/g;
/**
 * The start of a template that no `${{ … }}` closes, or of a minijinja block or comment (`${% %}`,
 * `${# #}`, which Fluvio renders and we do not): refused like a malformed reference.
 */
const UNSUPPORTED_TEMPLATE = /\$\{[{%#]/;
/** Longest text of an unterminated template shown in a message. */
const MAX_TEMPLATE_SHOWN = 40;
const SECRET_REFERENCE = /^secrets\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** Inputs of {@link renderSecrets}. */
export interface RenderOptions {
  /** Declared secret names → default value (legacy `secrets:` map) or `undefined`. */
  declared: ReadonlyMap<string, string | undefined>;
  values: SecretValues;
  /** Path of the declarations (not rendered). */
  skip: readonly PathSegment[];
  /** Where names are declared, for messages (`meta.secrets`, `secrets`). */
  declaredIn: string;
  /**
   * Do not look values up (they are resolved later, at run time: SSM Parameter Store or Secrets
   * Manager in AWS): a declared reference renders as a placeholder, {@link DEFERRED_SECRET}, or
   * `placeholder(path)` when it is the whole string (so an `endpoint` that is one secret still
   * parses as a URL), and its path is returned in `deferred`. Undeclared names are still reported.
   */
  defer?: boolean;
  /** The placeholder of a field whose whole value is one deferred reference; default {@link DEFERRED_SECRET}. */
  placeholder?: (path: readonly PathSegment[]) => string | undefined;
}

/** One `${{ secrets.NAME }}` found in the config (declared or not). */
export interface SecretReference {
  /** Where the string holding it is. */
  path: PathSegment[];
  name: string;
  /** The reference as written, e.g. `${{ secrets.API_TOKEN }}` (to point at it). */
  text: string;
}

/** What {@link renderSecrets} returns. */
export interface RenderResult {
  /** The rendered copy of the data. */
  data: unknown;
  /** One issue per bad reference. */
  issues: IssueDetail[];
  /** Paths of strings left unrendered (`defer`). */
  deferred: PathSegment[][];
  /** Every `${{ secrets.NAME }}` found, in document order. */
  references: SecretReference[];
  /** The secret values rendered (to redact them from logs); never shown, never stored in a spec as data. */
  values: string[];
}

/**
 * Replaces `${{ secrets.NAME }}` inside every string value of `data` with the secret's value: the
 * file's or environment's value, else the legacy default. Unlike Fluvio, which renders the raw file
 * text before parsing YAML, this runs on parsed values, so a value containing quotes, `: ` or newlines
 * cannot break the YAML or inject keys. Only declared names render.
 *
 * @returns see {@link RenderResult}; the issues are CONFIG_SECRET_UNDECLARED, CONFIG_SECRET_MISSING,
 *   and CONFIG_INVALID_VALUE for other `${{ }}` expressions and for an unterminated `${{` (or a
 *   `${%`/`${#` block), each pointing at the reference inside its string; messages name the secret,
 *   never a value.
 */
export function renderSecrets(data: unknown, options: RenderOptions): RenderResult {
  const issues: IssueDetail[] = [];
  const deferred: PathSegment[][] = [];
  const references: SecretReference[] = [];
  const values = new Set<string>();
  const skipKey = JSON.stringify(options.skip);

  const unsupported = (reference: string, path: PathSegment[]): IssueDetail => ({
    path,
    needle: reference,
    hideValue: true,
    code: ErrorCode.CONFIG_INVALID_VALUE,
    detail: `unsupported template ${JSON.stringify(reference.length > MAX_TEMPLATE_SHOWN ? `${reference.slice(0, MAX_TEMPLATE_SHOWN - 1)}…` : reference)}, expected \${{ secrets.NAME }}`,
  });

  const renderString = (text: string, path: PathSegment[]): string => {
    // What no complete `${{ … }}` covers must not start a template either (an unterminated one).
    const rest = text.replace(TEMPLATE, (reference) => ' '.repeat(reference.length));
    const open = UNSUPPORTED_TEMPLATE.exec(rest);
    if (open) issues.push(unsupported(text.slice(open.index).split('\n', 1)[0] ?? '', path));
    return text.replace(TEMPLATE, (reference: string, expression: string) => {
      const name = SECRET_REFERENCE.exec(expression)?.[1];
      const at = { path, needle: reference, hideValue: true } as const;
      if (name !== undefined) references.push({ path, name, text: reference });
      if (name === undefined) {
        issues.push(unsupported(reference, path));
        return reference;
      }
      if (!options.declared.has(name)) {
        const suggestion = suggestName(name, [...options.declared.keys()]);
        const hint = suggestion ? `did you mean "${suggestion}"? ` : '';
        issues.push({ ...at, code: ErrorCode.CONFIG_SECRET_UNDECLARED, detail: `secret "${name}" is not declared, ${hint}declare it in ${options.declaredIn}`, ...(suggestion ? { suggestion } : {}) });
        return reference;
      }
      if (options.defer) {
        deferred.push(path);
        return text.trim() === reference ? (options.placeholder?.(path) ?? DEFERRED_SECRET) : DEFERRED_SECRET;
      }
      const value = options.values.lookup(name) ?? options.declared.get(name);
      if (value === undefined) {
        issues.push({ ...at, code: ErrorCode.CONFIG_SECRET_MISSING, detail: `secret "${name}" has no value in ${options.values.describe}` });
        return reference;
      }
      if (value !== '') values.add(value);
      return value;
    });
  };

  const visit = (value: unknown, path: PathSegment[]): unknown => {
    if (path.length > 0 && JSON.stringify(path) === skipKey) return value;
    if (typeof value === 'string') return UNSUPPORTED_TEMPLATE.test(value) ? renderString(value, path) : value;
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...path, index]));
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visit(item, [...path, key])]));
    return value;
  };
  return { data: visit(data, []), issues, deferred, references, values: [...values] };
}
