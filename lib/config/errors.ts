import { ConnectorError, type ErrorCode } from '../core/errors';
import type { IssueDetail } from './yaml-source';

/** How serious a config issue is: an `error` refuses the config, a `warning` is reported and the config runs. */
export type Severity = 'error' | 'warning';

/**
 * One problem found in a config file, located as precisely as the YAML allows: an error (in a
 * {@link ConfigError}) or a warning (in `ConnectorSpec.warnings`), in the same format.
 *
 * @example
 * ```ts
 * {
 *   code: 'CONFIG_INVALID_VALUE', file: 'configs/x.yaml', line: 12, column: 16,
 *   path: 'http.output_type', value: 'xml', expected: 'expected one of "text", "json"',
 *   message: 'configs/x.yaml:12:16: http.output_type: unknown value "xml", expected one of "text", "json" [CONFIG_INVALID_VALUE]',
 * }
 * ```
 */
export interface ConfigIssue {
  code: ErrorCode;
  /** Absent for errors; `warning` for a warning (its message then reads `file:line:col: warning: …`). */
  severity?: Severity;
  /** The config file, as the caller named it. */
  file: string;
  /** 1-based line of the node the issue points at (absent when the file could not be read). */
  line?: number;
  /** 1-based column of that node. */
  column?: number;
  /**
   * Field path with the keys as the user wrote them: `'http.output_type'`, `'parameters.headers[0]'`,
   * `''` for the whole document.
   */
  path: string;
  /** The offending value as written in the file (before secrets are rendered, so never a secret). */
  value?: unknown;
  /** What was expected, e.g. `'expected one of "text", "json"'`. */
  expected?: string;
  /** The nearest valid name, for unknown fields and connector types. */
  suggestion?: string;
  /** The full one-line message: `file:line:column: path: detail [CODE]`. */
  message: string;
}

/**
 * Thrown for every problem with a connector config file: unreadable, not YAML, or not a valid config.
 * Carries every issue found in the file (not just the first), sorted by position.
 * `code` is the first issue's code; `message` lists all issues, one per line.
 */
export class ConfigError extends ConnectorError {
  /** All issues of the file, sorted by line and column. */
  readonly issues: ConfigIssue[];

  /** @throws Error when `issues` is empty (a programming error). */
  constructor(issues: readonly ConfigIssue[]) {
    const first = issues[0];
    if (!first) throw new Error('ConfigError needs at least one issue');
    super(issues.map((issue) => issue.message).join('\n'), first.code);
    this.name = 'ConfigError';
    this.issues = [...issues];
  }
}

/** Longest rendering of a value in a message, in characters. */
const MAX_VALUE_LENGTH = 60;

/**
 * Renders a value compactly for a message: strings JSON-quoted, collections as one-line JSON,
 * anything longer than 60 characters truncated with `…`.
 */
export function renderValue(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'bigint') text = value.toString();
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

/** Renders strings as a quoted, comma-separated list: `"a", "b"`. */
export function quoteList(values: readonly unknown[]): string {
  return values.map((value) => renderValue(value)).join(', ');
}

/**
 * The {@link ConfigIssue} of `detail` at a known place: how both kinds of config document
 * (`ConfigSource` for YAML, the deployed `CONNECTOR_DOCUMENT`) build theirs. A `{value}` in
 * `detail.detail` becomes the value when it is shown; otherwise the placeholder and the text before
 * the next comma are dropped.
 * @param where - the file, the 1-based line and column (absent when not known) and the path as the user wrote it.
 * @param shown - the value to show (`undefined`: none is shown) and its text as written in the file, used
 *   for YAML's `.inf`, `-.inf` and `.nan` (JSON would print null).
 */
export function locatedIssue(
  detail: IssueDetail,
  where: { file: string; line?: number; column?: number; path: string },
  shown: { value: unknown; written?: string } | undefined,
): ConfigIssue {
  let text = detail.detail;
  if (text.includes('{value}')) {
    if (shown === undefined) text = text.replace(/^[^{]*\{value\},?\s*/, '');
    else {
      const { value, written } = shown;
      text = text.replace('{value}', typeof value === 'number' && !Number.isFinite(value) && written !== undefined ? written.trim() : renderValue(value));
    }
  }
  const severity = detail.severity ?? 'error';
  const place = where.line === undefined ? {} : { line: where.line, column: where.column };
  return {
    code: detail.code,
    ...(severity === 'warning' ? { severity } : {}),
    file: where.file,
    ...place,
    path: where.path,
    ...(shown !== undefined ? { value: shown.value } : {}),
    ...(detail.expected !== undefined ? { expected: detail.expected } : {}),
    ...(detail.suggestion !== undefined ? { suggestion: detail.suggestion } : {}),
    message: formatIssueMessage({ code: detail.code, severity, file: where.file, ...place, path: where.path, detail: text }),
  };
}

/**
 * Builds the one-line message of an issue: `file:line:column: path: detail [CODE]`, for a warning
 * `file:line:column: warning: path: detail [CODE]` (as compilers print them); the location and path
 * parts are left out when unknown or empty.
 */
export function formatIssueMessage(parts: {
  code: ErrorCode;
  severity?: Severity;
  file: string;
  line?: number;
  column?: number;
  path: string;
  detail: string;
}): string {
  const where = parts.line === undefined ? parts.file : `${parts.file}:${parts.line}:${parts.column ?? 1}`;
  const path = parts.path === '' ? '' : `${parts.path}: `;
  const severity = parts.severity === 'warning' ? 'warning: ' : '';
  return `${where}: ${severity}${path}${parts.detail} [${parts.code}]`;
}
