/**
 * The config of a deployed poller with secrets, without a YAML reader: `CONNECTOR_DOCUMENT`, the
 * YAML document's data as JSON, written by the generator at `serverless package`
 * ({@link encodeConfigDocument}), with the place in the YAML file of each value the invocation can
 * still find wrong (a string holding a `${{ secrets.NAME }}` reference: its value is known only
 * then). `functions/poller-full.handler` reads it back ({@link decodeConfigDocument}) and validates
 * it with the secret values through the same `parseConfigDocument` (zod schemas) as `connector run`,
 * so a secret `endpoint` that is no URL is still `configs/x.yaml:9:13: http.endpoint: … [CONFIG_INVALID_VALUE]`,
 * never showing the value. Everything else was validated by the generator: an issue elsewhere (a
 * code change between package and invocation) names its file and path without line and column.
 *
 * Why: the yaml package was about 110 KB of the 560 KB (minified) of poller-full's bundle, a fifth of
 * its zip (functions/README.md, "Cold start").
 *
 * No yaml here (the encoder takes the generator's `ConfigSource` by type only): this module is in
 * poller-full's bundle.
 */
import type { PathSegment } from '../schema/walk';
import { ConnectorError, ErrorCode } from '../core/errors';
import { appendSegment, type ConfigDocument, sameKey } from './document';
import { type ConfigIssue, locatedIssue } from './errors';
import { isPlainObject } from './normalize';
import type { ConfigSource, IssueDetail } from './yaml-source';

/** Layout version of {@link DeployedConfigDocument} (`v`). */
export const CONFIG_DOCUMENT_VERSION = 1;

/** A scalar as written in the YAML file: path, 1-based line and column, text as written. */
type WrittenScalar = [path: PathSegment[], line: number, column: number, text: string];

/** The JSON of `CONNECTOR_DOCUMENT`. */
export interface DeployedConfigDocument {
  v: typeof CONFIG_DOCUMENT_VERSION;
  /** The YAML document's data (`ConfigSource.toJS()`), secret references unrendered. */
  data: unknown;
  /**
   * Strings holding `${{`, numbers JSON cannot hold (YAML `.inf`, `-.inf`, `.nan`: JSON writes
   * `null`, the decoder puts them back), and a numeric `version` (kept as written, e.g. `0.10`).
   */
  at: WrittenScalar[];
}

/** Strings the invocation renders (same test as `renderSecrets`: `${{`, `${%` or `${#`). */
const TEMPLATE_START = /\$\{[{%#]/;

/** The paths of `version` fields, kept as written when YAML reads them as numbers (`keepVersionAsWritten`). */
const VERSION_PATHS: PathSegment[][] = [['version'], ['meta', 'version']];

/**
 * The `CONNECTOR_DOCUMENT` text of a config the generator parsed (the YAML file's `ConfigSource`).
 * @returns JSON `{"v":1,"data":{…},"at":[[path,line,column,text],…]}`: the data, and where each
 *   string holding a secret reference (and a numeric `version`) is written.
 * @example
 * const { source } = ConfigSource.parse(text, 'configs/x.yaml');
 * encodeConfigDocument(source!); // '{"v":1,"data":{"apiVersion":"0.2.0",…},"at":[[["http","endpoint"],9,13,"${{ secrets.URL }}"]]}'
 */
export function encodeConfigDocument(source: Pick<ConfigSource, 'toJS' | 'scalarAt'>): string {
  const data = source.toJS();
  const at: WrittenScalar[] = [];
  const record = (path: PathSegment[]): void => {
    const scalar = source.scalarAt(path);
    if (scalar) at.push([path, scalar.line, scalar.column, scalar.text]);
  };
  const visit = (value: unknown, path: PathSegment[]): void => {
    if (typeof value === 'string' && TEMPLATE_START.test(value)) record(path);
    else if (typeof value === 'number' && !Number.isFinite(value)) record(path);
    else if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...path, index]));
    else if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
  };
  visit(data, []);
  for (const path of VERSION_PATHS) if (typeof valueAt(data, path) === 'number') record(path);
  const document: DeployedConfigDocument = { v: CONFIG_DOCUMENT_VERSION, data, at };
  return JSON.stringify(document);
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let value = data;
  for (const segment of path) {
    if (Array.isArray(value) && typeof segment === 'number') value = value[segment];
    else if (isPlainObject(value)) value = value[segment];
    else return undefined;
  }
  return value;
}

/** YAML 1.2 core schema's infinities and not-a-number, as written. */
const NON_FINITE: ReadonlyMap<string, number> = new Map(
  ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].flatMap((text) => [[text, Infinity], [`-${text.replace('+', '')}`, -Infinity]] as Array<[string, number]>).concat(['.nan', '.NaN', '.NAN'].map((text) => [text, Number.NaN])),
);

/** `data` with the numbers JSON wrote as `null` put back from their recorded text (see {@link DeployedConfigDocument.at}). */
function restoreNonFinite(data: unknown, at: readonly WrittenScalar[]): unknown {
  for (const [path, , , text] of at) {
    const number = NON_FINITE.get(text.trim());
    if (number === undefined || path.length === 0) continue;
    const parent = valueAt(data, path.slice(0, -1));
    const key = path[path.length - 1]!;
    if ((Array.isArray(parent) || isPlainObject(parent)) && (parent as Record<PathSegment, unknown>)[key] === null) (parent as Record<PathSegment, unknown>)[key] = number;
  }
  return data;
}

/** The stale-document error: what is wrong and what to do. */
function stale(detail: string): ConnectorError {
  return new ConnectorError(`CONNECTOR_DOCUMENT ${detail}: redeploy the service (\`serverless deploy\`) so that the generator writes the config for this code`, ErrorCode.DEPLOYED_SPEC_STALE);
}

/**
 * A {@link ConfigDocument} from a deployed document: issues at a recorded string are located as
 * the YAML file's `ConfigSource` locates them (a `needle`, the secret reference, at its own line and
 * column); elsewhere by path only.
 */
class LocatedData implements ConfigDocument {
  readonly warnings: readonly ConfigIssue[] = [];
  private readonly written: Map<string, { line: number; column: number; text: string }>;

  constructor(
    readonly file: string,
    private readonly data: unknown,
    at: readonly WrittenScalar[],
  ) {
    this.written = new Map(at.map(([path, line, column, text]) => [JSON.stringify(path), { line, column, text }]));
  }

  toJS(): unknown {
    return this.data;
  }

  sourceText(path: readonly PathSegment[]): string | undefined {
    return this.written.get(JSON.stringify(this.resolve(path).path))?.text.trim();
  }

  /** `path` as written in the data (a kebab-case key for a snake_case segment), its display, whether it is there. */
  private resolve(path: readonly PathSegment[]): { path: PathSegment[]; display: string; found: boolean; value: unknown } {
    let value = this.data;
    const resolved: PathSegment[] = [];
    let display = '';
    for (const segment of path) {
      let next: PathSegment | undefined;
      if (isPlainObject(value)) {
        const keys = Object.keys(value);
        next = keys.find((key) => key === String(segment)) ?? keys.find((key) => sameKey(key, String(segment)));
      } else if (Array.isArray(value) && typeof segment === 'number' && segment < value.length) next = segment;
      if (next === undefined) {
        for (const rest of path.slice(resolved.length)) display = appendSegment(display, rest);
        return { path: resolved, display, found: false, value: undefined };
      }
      resolved.push(next);
      display = appendSegment(display, next);
      value = (value as Record<string, unknown>)[next as string];
    }
    return { path: resolved, display, found: true, value };
  }

  issue(detail: IssueDetail): ConfigIssue {
    const target = detail.target ?? 'value';
    const { path, display, found, value } = this.resolve(detail.path);
    const written = found ? this.written.get(JSON.stringify(path)) : undefined;
    let place: { line: number; column: number } | undefined = written && { line: written.line, column: written.column };
    const index = written && detail.needle !== undefined ? written.text.indexOf(detail.needle) : -1;
    if (written && index >= 0) {
      const before = written.text.slice(0, index);
      const breaks = before.split('\n').length - 1;
      place = breaks === 0 ? { line: written.line, column: written.column + index } : { line: written.line + breaks, column: index - before.lastIndexOf('\n') };
    }
    const showValue = found && value !== undefined && !detail.hideValue && target === 'value';
    return locatedIssue(detail, { file: this.file, ...place, path: display }, showValue ? { value, written: written?.text } : undefined);
  }
}

/**
 * Reads a `CONNECTOR_DOCUMENT` back into a {@link ConfigDocument} for `parseConfigDocument`.
 * @param file - the config's path in the service (`CONNECTOR_CONFIG_FILE`), for messages.
 * @throws ConnectorError DEPLOYED_SPEC_STALE when the text is not JSON or not a document of this
 *   layout ({@link CONFIG_DOCUMENT_VERSION}); the message says to redeploy.
 */
export function decodeConfigDocument(text: string, file: string): ConfigDocument {
  let document: Partial<DeployedConfigDocument>;
  try {
    document = JSON.parse(text) as Partial<DeployedConfigDocument>;
  } catch (error) {
    throw stale(`is not JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(document) || document.v !== CONFIG_DOCUMENT_VERSION || !Array.isArray(document.at) || !('data' in document)) {
    throw stale(`is not a config document of layout ${CONFIG_DOCUMENT_VERSION}`);
  }
  return new LocatedData(file, restoreNonFinite(document.data, document.at), document.at);
}
