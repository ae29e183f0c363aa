import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ErrorCode } from '../core/errors';
import type { PathSegment } from '../schema/walk';
import { type ConfigIssue, formatIssueMessage, renderValue } from './errors';

/** One step of a field path: a map key (as normalised for validation) or a list index. */
export type { PathSegment };

/**
 * Which node an issue points at: the offending `value`, the `key` of an unknown field, or for a
 * missing field the `parent` mapping's key (the document start at the top level).
 */
export type IssueTarget = 'value' | 'key' | 'parent';

/** Where a field path lands in the file. */
export interface SourceLocation {
  /** The path with keys as the user wrote them (`http.user-agent`, `parameters.headers[0]`). */
  path: string;
  /** 1-based line and column. */
  line: number;
  column: number;
  /** Whether the whole path exists in the file (else the location is its deepest existing ancestor). */
  found: boolean;
  /** The YAML node at the path, when found. */
  node?: Node;
}

/** What an issue says, before it is located. */
export interface IssueDetail {
  code: ErrorCode;
  /** Path in the validated data (normalised keys); mapped back to the YAML nodes. */
  path: readonly PathSegment[];
  /** The text after `path: `; `{value}` is replaced by the rendered value as written in the file. */
  detail: string;
  target?: IssueTarget;
  expected?: string;
  suggestion?: string;
  /** Do not show the value (e.g. legacy `secrets:` defaults). */
  hideValue?: boolean;
  /** Text to point at inside the located node's source (e.g. the `${{ secrets.X }}` inside a string). */
  needle?: string;
}

/** Keys equal up to `-` vs `_` name the same field (`user-agent` = `user_agent`, `batch_size` = `batch-size`). */
export function sameKey(a: string, b: string): boolean {
  return a === b || a.replace(/-/g, '_') === b.replace(/-/g, '_');
}

function appendSegment(display: string, segment: PathSegment): string {
  if (typeof segment === 'number') return `${display}[${segment}]`;
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return `${display}[${JSON.stringify(segment)}]`;
  return display === '' ? segment : `${display}.${segment}`;
}

/**
 * A parsed YAML config file that can map field paths back to lines and columns (yaml `parseDocument`
 * + `LineCounter`, node `range`), so every issue names the exact place in the file.
 */
export class ConfigSource {
  private constructor(
    readonly file: string,
    readonly text: string,
    private readonly doc: Document.Parsed,
    private readonly lineCounter: LineCounter,
    private readonly data: unknown,
  ) {}

  /**
   * Parses YAML text. Syntax errors (including duplicate keys) come back as CONFIG_YAML_SYNTAX
   * issues with the yaml package's position; `source` is then absent.
   */
  static parse(text: string, file: string): { source?: ConfigSource; issues: ConfigIssue[] } {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const syntaxIssue = (offset: number, problem: string): ConfigIssue => {
      const { line, col } = lineCounter.linePos(offset);
      const detail = `invalid YAML: ${problem.split('\n')[0]}`;
      const message = formatIssueMessage({ code: ErrorCode.CONFIG_YAML_SYNTAX, file, line, column: col, path: '', detail });
      return { code: ErrorCode.CONFIG_YAML_SYNTAX, file, line, column: col, path: '', message };
    };
    if (doc.errors.length > 0) return { issues: doc.errors.map((error) => syntaxIssue(error.pos[0], error.message)) };
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // e.g. an alias bomb ("Excessive alias count indicates a resource exhaustion attack")
      return { issues: [syntaxIssue(0, (error as Error).message)] };
    }
    return { source: new ConfigSource(file, text, doc, lineCounter, data), issues: [] };
  }

  /** The document as plain data (aliases resolved); `null` for an empty file. */
  toJS(): unknown {
    return this.data;
  }

  /** The raw source text of a YAML scalar of the given path (e.g. `1.0` for a version written as a number). */
  sourceText(path: readonly PathSegment[]): string | undefined {
    const location = this.locate(path, 'value');
    const node = location.node;
    if (!location.found || !isScalar(node) || !node.range) return undefined;
    return this.text.slice(node.range[0], node.range[1]).trim();
  }

  /**
   * Maps a path in the validated data back to the file. Keys match as written or up to `-`/`_`
   * (key normalisation); a path that does not exist resolves to its deepest existing ancestor.
   */
  locate(path: readonly PathSegment[], target: IssueTarget): SourceLocation {
    let node: unknown = this.doc.contents;
    let keyNode: Node | undefined;
    let display = '';
    let depth = 0;
    for (const segment of path) {
      const container = isAlias(node) ? node.resolve(this.doc) : node;
      if (isMap(container)) {
        const keyOf = (item: (typeof container.items)[number]): string | undefined => (isScalar(item.key) ? String(item.key.value) : undefined);
        const pair =
          container.items.find((item) => keyOf(item) === String(segment)) ??
          container.items.find((item) => sameKey(keyOf(item) ?? '', String(segment)));
        if (!pair || !isScalar(pair.key)) break;
        display = appendSegment(display, String(pair.key.value));
        keyNode = pair.key;
        node = pair.value;
      } else if (isSeq(container) && typeof segment === 'number' && segment < container.items.length) {
        display = appendSegment(display, segment);
        keyNode = undefined;
        node = container.items[segment];
      } else break;
      depth += 1;
    }
    const found = depth === path.length;
    for (const segment of path.slice(depth)) display = appendSegment(display, segment);
    const valueNode = node as Node | null | undefined;
    const preferKey = target === 'key' || (target === 'parent' && !found) || !valueNode?.range;
    const anchor = (preferKey ? (keyNode ?? valueNode) : (valueNode ?? keyNode)) ?? undefined;
    const { line, col } = anchor?.range ? this.lineCounter.linePos(anchor.range[0]) : { line: 1, col: 1 };
    return { path: display, line, column: col, found, ...(found && valueNode ? { node: valueNode } : {}) };
  }

  /** Line and column (1-based) of a character offset in the file. */
  position(offset: number): { line: number; column: number } {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  /**
   * Builds a located issue. The value shown is the node's value as written in the file (secrets
   * unrendered, legacy integers unconverted); when the path does not exist no value is shown and a
   * `{value}` placeholder in `detail` is dropped along with the text before the next comma.
   */
  issue(detail: IssueDetail): ConfigIssue {
    const location = this.locate(detail.path, detail.target ?? 'value');
    let { line, column } = location;
    const range = location.node?.range;
    if (detail.needle !== undefined && range) {
      const index = this.text.slice(range[0], range[1]).indexOf(detail.needle);
      if (index >= 0) ({ line, column } = this.position(range[0] + index));
    }
    const showValue = location.found && location.node !== undefined && !detail.hideValue && (detail.target ?? 'value') === 'value';
    const value = showValue ? (location.node as Node).toJS(this.doc) : undefined;
    const text = detail.detail.includes('{value}')
      ? showValue
        ? detail.detail.replace('{value}', renderValue(value))
        : detail.detail.replace(/^[^{]*\{value\},?\s*/, '')
      : detail.detail;
    const message = formatIssueMessage({ code: detail.code, file: this.file, line, column, path: location.path, detail: text });
    return {
      code: detail.code,
      file: this.file,
      line,
      column,
      path: location.path,
      ...(showValue ? { value } : {}),
      ...(detail.expected !== undefined ? { expected: detail.expected } : {}),
      ...(detail.suggestion !== undefined ? { suggestion: detail.suggestion } : {}),
      message,
    };
  }
}
