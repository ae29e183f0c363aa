import { type Alias, isAlias, isCollection, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ErrorCode } from '../core/errors';
import type { PathSegment } from '../schema/walk';
import { appendSegment, sameKey } from './document';
import { type ConfigIssue, formatIssueMessage, locatedIssue, type Severity } from './errors';

/** One step of a field path: a map key (as normalised for validation) or a list index. */
export type { PathSegment };
export { sameKey };

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
  /** `warning`: reported, but the config is valid. Default `error`. */
  severity?: Severity;
}

/**
 * Limits that keep reading a config bounded in time and memory, whatever the file holds. Each one
 * exceeded is a located CONFIG_LIMIT_EXCEEDED issue.
 */
export const ConfigLimits = {
  /** Largest config file, bytes (a real config is a few hundred bytes; Lambda passes at most 4 KB). */
  maxBytes: 256 * 1024,
  /** Deepest nesting of mappings and lists (a Fluvio config needs about 10). */
  maxDepth: 64,
  /** Most alias nodes (`*name`) in one file. */
  maxAliases: 1000,
  /**
   * yaml's `maxAliasCount` (aliases × the aliases inside what they point at, per anchor): it stops
   * an alias bomb ("billion laughs") before it expands.
   */
  maxAliasCount: 100,
} as const;

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

  /** YAML-level warnings (a newer `%YAML` minor version, an unknown directive, a redefined anchor), located. */
  readonly warnings: ConfigIssue[] = [];

  /**
   * Parses YAML text within {@link ConfigLimits}. Syntax errors and duplicate keys come back as
   * CONFIG_YAML_SYNTAX issues with their position; an exceeded limit (size, nesting, aliases, an
   * alias bomb) as CONFIG_LIMIT_EXCEEDED, an unresolved or recursive alias as CONFIG_YAML_SYNTAX,
   * each located where it stands; `source` is then absent. YAML directives follow the YAML 1.2
   * spec: `%YAML 2.x` or two `%YAML` directives are errors, `%YAML 1.3` and unknown directives
   * warnings. Duplicate anchors are allowed, as the spec says (an alias refers to the most recent
   * one), with a warning.
   */
  static parse(text: string, file: string): { source?: ConfigSource; issues: ConfigIssue[] } {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > ConfigLimits.maxBytes) {
      const offset = Buffer.from(text, 'utf8').subarray(0, ConfigLimits.maxBytes).toString('utf8').length;
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      const detail = `the config file is larger than ${ConfigLimits.maxBytes / 1024} KiB (it goes on past this point)`;
      return { issues: [limitIssue(file, line, column, detail)] };
    }
    const lineCounter = new LineCounter();
    // uniqueKeys is checked below in linear time (yaml's own check is quadratic in the keys of a map).
    // logLevel 'error': yaml never prints a process warning of its own (each becomes an issue here).
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, logLevel: 'error' });
    const at = (offset: number): { line: number; column: number } => {
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    };
    const syntaxIssue = (offset: number, problem: string, code: ErrorCode = ErrorCode.CONFIG_YAML_SYNTAX): ConfigIssue => {
      const { line, column } = at(offset);
      const detail = code === ErrorCode.CONFIG_YAML_SYNTAX ? `invalid YAML: ${problem.split('\n')[0]}` : problem;
      return { code, file, line, column, path: '', message: formatIssueMessage({ code, file, line, column, path: '', detail }) };
    };
    const warningAt = (offset: number, detail: string): ConfigIssue => {
      const { line, column } = at(offset);
      const code = ErrorCode.CONFIG_YAML_WARNING;
      return { code, severity: 'warning', file, line, column, path: '', message: formatIssueMessage({ code, severity: 'warning', file, line, column, path: '', detail }) };
    };
    if (doc.errors.length > 0) {
      // A nesting deeper than yaml's stack allows comes back as many RESOURCE_EXHAUSTION errors: report one.
      const exhausted = doc.errors.find((error) => error.code === 'RESOURCE_EXHAUSTION');
      if (exhausted) return { issues: [syntaxIssue(exhausted.pos[0], `the config is nested too deeply (more than ${ConfigLimits.maxDepth} levels)`, ErrorCode.CONFIG_LIMIT_EXCEEDED)] };
      return { issues: doc.errors.map((error) => syntaxIssue(error.pos[0], error.message)) };
    }
    const issues: ConfigIssue[] = [];
    const warnings: ConfigIssue[] = [];
    for (const warning of doc.warnings) {
      const version = /^Unsupported YAML version (\d+)\.(\d+)/.exec(warning.message);
      if (version && version[1] !== '1') issues.push(syntaxIssue(warning.pos[0], `%YAML ${version[1]}.${version[2]} is not supported: a YAML 1.2 reader refuses another major version`));
      else if (version) warnings.push(warningAt(warning.pos[0], `%YAML ${version[1]}.${version[2]}: read as YAML 1.2 (the spec says to warn about a newer minor version)`));
      else warnings.push(warningAt(warning.pos[0], `${warning.message.split('\n')[0]} (ignored)`));
    }
    // Directives stand before the first `---`.
    const documentStart = text.search(/^---/m);
    const yamlDirectives = [...text.matchAll(/^%YAML\b/gm)].filter((match) => documentStart < 0 || match.index < documentStart);
    if (yamlDirectives.length > 1) issues.push(syntaxIssue(yamlDirectives[1]!.index!, 'more than one %YAML directive (the YAML spec makes it an error)'));
    const structure = checkStructure(doc, text);
    issues.push(...structure.errors.map(({ offset, problem, code }) => syntaxIssue(offset, problem, code)));
    warnings.push(...structure.warnings.map(({ offset, problem }) => warningAt(offset, problem)));
    if (issues.length > 0) return { issues };
    let data: unknown;
    // Which alias yaml was expanding when it gave up (an alias bomb), to locate the issue there.
    let current: Alias | undefined;
    for (const alias of structure.aliases) {
      const toJSON = alias.toJSON.bind(alias);
      alias.toJSON = (arg?: unknown, ctx?: Parameters<Alias['toJSON']>[1]) => {
        current = alias;
        return toJSON(arg, ctx);
      };
    }
    try {
      data = doc.toJS({ maxAliasCount: ConfigLimits.maxAliasCount });
    } catch (error) {
      const offset = current?.range?.[0] ?? 0;
      const message = (error as Error).message;
      const bomb = /alias count/i.test(message);
      const problem = bomb ? `this alias expands too much (an alias bomb: ${message})` : message;
      return { issues: [syntaxIssue(offset, problem, bomb ? ErrorCode.CONFIG_LIMIT_EXCEEDED : ErrorCode.CONFIG_YAML_SYNTAX)] };
    } finally {
      for (const alias of structure.aliases) delete (alias as { toJSON?: unknown }).toJSON;
    }
    const source = new ConfigSource(file, text, doc, lineCounter, data);
    source.warnings.push(...warnings);
    return { source, issues: [] };
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
  /**
   * Where the scalar at `path` is written: its 1-based line and column and its text as written (with
   * quotes, block indicators and line breaks), or `undefined` when `path` names no scalar of the file.
   * For the generator's JSON of a config (`encodeConfigDocument`, deployed-document.ts).
   */
  scalarAt(path: readonly PathSegment[]): { line: number; column: number; text: string } | undefined {
    const location = this.locate(path, 'value');
    const node = location.node;
    if (!location.found || !isScalar(node) || !node.range) return undefined;
    return { line: location.line, column: location.column, text: this.text.slice(node.range[0], node.range[1]) };
  }

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
    const shown = showValue
      ? { value: (location.node as Node).toJS(this.doc, { maxAliasCount: ConfigLimits.maxAliasCount }), written: range ? this.text.slice(range[0], range[1]) : undefined }
      : undefined;
    return locatedIssue(detail, { file: this.file, line, column, path: location.path }, shown);
  }
}

/** A CONFIG_LIMIT_EXCEEDED issue at a position. */
function limitIssue(file: string, line: number, column: number, detail: string): ConfigIssue {
  const code = ErrorCode.CONFIG_LIMIT_EXCEEDED;
  return { code, file, line, column, path: '', message: formatIssueMessage({ code, file, line, column, path: '', detail }) };
}

/** What {@link checkStructure} found, by character offset. */
interface StructureReport {
  errors: Array<{ offset: number; problem: string; code: ErrorCode }>;
  warnings: Array<{ offset: number; problem: string }>;
  /** Every alias node, in document order. */
  aliases: Alias[];
}

/**
 * One iterative walk of the document in order (no recursion, whatever the nesting): nesting depth
 * ({@link ConfigLimits.maxDepth}), duplicate keys of a mapping (a linear check, as `uniqueKeys`
 * would report them), aliases (at most {@link ConfigLimits.maxAliases}; each must follow its
 * anchor and not sit inside it) and redefined anchors (a warning). Stops at the first limit.
 */
function checkStructure(doc: Document.Parsed, text: string): StructureReport {
  const report: StructureReport = { errors: [], warnings: [], aliases: [] };
  const offsetOf = (node: Node): number => node.range?.[0] ?? 0;
  const anchors = new Map<string, Node>();
  /** Anchored collections being walked: an alias to one of them is recursive. */
  const open = new Set<Node>();
  type Frame = { node: unknown; depth: number } | { close: Node };
  const stack: Frame[] = [{ node: doc.contents, depth: 1 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if ('close' in frame) {
      open.delete(frame.close);
      continue;
    }
    const { node, depth } = frame;
    if (!isNode(node)) continue;
    if (isAlias(node)) {
      report.aliases.push(node);
      const target = anchors.get(node.source);
      if (report.aliases.length > ConfigLimits.maxAliases) {
        report.errors.push({ offset: offsetOf(node), code: ErrorCode.CONFIG_LIMIT_EXCEEDED, problem: `more than ${ConfigLimits.maxAliases} aliases in one config` });
        return report;
      }
      if (!target) report.errors.push({ offset: offsetOf(node), code: ErrorCode.CONFIG_YAML_SYNTAX, problem: `unresolved alias *${node.source}: no anchor &${node.source} before it` });
      else if (open.has(target)) report.errors.push({ offset: offsetOf(node), code: ErrorCode.CONFIG_YAML_SYNTAX, problem: `recursive alias *${node.source}: it is inside the node its anchor marks` });
      continue;
    }
    if (depth > ConfigLimits.maxDepth) {
      report.errors.push({ offset: offsetOf(node), code: ErrorCode.CONFIG_LIMIT_EXCEEDED, problem: `the config is nested too deeply (more than ${ConfigLimits.maxDepth} levels)` });
      return report;
    }
    if (node.anchor) {
      if (anchors.has(node.anchor)) {
        // A node's range starts after its anchor: point at the `&name` itself.
        const at = text.lastIndexOf(`&${node.anchor}`, offsetOf(node));
        report.warnings.push({ offset: at >= 0 ? at : offsetOf(node), problem: `anchor &${node.anchor} is defined again: aliases after this point refer to this one` });
      }
      anchors.set(node.anchor, node);
    }
    if (!isCollection(node)) continue;
    if (node.anchor) {
      open.add(node);
      stack.push({ close: node });
    }
    const children: unknown[] = [];
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isAlias(pair.key) ? anchors.get(pair.key.source) : pair.key;
        if (isCollection(key)) {
          report.errors.push({ offset: offsetOf(pair.key as Node), code: ErrorCode.CONFIG_YAML_SYNTAX, problem: 'a list or mapping as a mapping key cannot be read (a key must be a plain value)' });
        }
        if (isScalar(pair.key)) {
          const key = String(pair.key.value);
          if (seen.has(key)) report.errors.push({ offset: offsetOf(pair.key), code: ErrorCode.CONFIG_YAML_SYNTAX, problem: 'Map keys must be unique' });
          seen.add(key);
        }
        children.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) children.push(...node.items);
    for (let index = children.length - 1; index >= 0; index -= 1) stack.push({ node: children[index], depth: depth + 1 });
  }
  return report;
}
