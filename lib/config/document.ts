/**
 * What config validation (`parseConfigDocument`, parse-document.ts) reads a config through: its
 * data and where each path of it is in the file, to locate issues. Two kinds: a YAML file's
 * `ConfigSource` (yaml-source.ts, with the yaml parser) and a deployed poller's
 * `LocatedData` (deployed-document.ts, JSON written by the generator, without yaml).
 */
import type { ConfigIssue } from './errors';
import type { IssueDetail, PathSegment } from './yaml-source';

/** A parsed config document and the locations of its values (see the module comment). */
export interface ConfigDocument {
  /** File name for messages (`configs/x.yaml`, `$CONNECTOR_CONFIG`, `$CONNECTOR_DOCUMENT`). */
  readonly file: string;
  /** Warnings found while reading the document (YAML warnings), located. */
  readonly warnings: readonly ConfigIssue[];
  /** The document's data (plain JSON values: objects, arrays, strings, numbers, booleans, null). */
  toJS(): unknown;
  /** The scalar at `path` as written in the file (trimmed), or `undefined` when not known. */
  sourceText(path: readonly PathSegment[]): string | undefined;
  /** A located issue (`file:line:column: path: detail [CODE]`; without line and column when the path's place is not known). */
  issue(detail: IssueDetail): ConfigIssue;
}

/** Keys equal up to `-` vs `_` name the same field (`user-agent` = `user_agent`, `batch_size` = `batch-size`). */
export function sameKey(a: string, b: string): boolean {
  return a === b || a.replace(/-/g, '_') === b.replace(/-/g, '_');
}

/** `display` (a path as messages show it, `http.headers[0]`) with one more segment. */
export function appendSegment(display: string, segment: PathSegment): string {
  if (typeof segment === 'number') return `${display}[${segment}]`;
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return `${display}[${JSON.stringify(segment)}]`;
  return display === '' ? segment : `${display}.${segment}`;
}

