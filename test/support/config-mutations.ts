import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { isMap, isScalar, isSeq, type Node, parseDocument, visit } from 'yaml';

/**
 * A fast-check generator of malformed connector configs, for the property "every config is refused
 * with a located error or accepted, never a crash or a hang": valid seed configs (the repository's
 * `configs/` and the valid fixtures) with one to four mutations each, made on the YAML tree (a value
 * replaced by an interesting one, a key removed, renamed, added or duplicated, a value wrapped) or
 * on the text (characters inserted, a range cut, a line repeated, a directive, an alias bomb or deep
 * nesting added).
 */

const ROOT = resolve(__dirname, '../..');

/** The seed configs: every valid config of the repository. */
export const SEEDS: readonly string[] = [
  ...readdirSync(join(ROOT, 'configs'))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => readFileSync(join(ROOT, 'configs', name), 'utf8')),
  ...readdirSync(join(ROOT, 'test/fixtures/configs'))
    .filter((name) => name.startsWith('valid-') && name.endsWith('.yaml'))
    .map((name) => readFileSync(join(ROOT, 'test/fixtures/configs', name), 'utf8')),
];

/** Values that break configs in the ways issue 11 lists (and then some), as YAML source text. */
const INTERESTING = [
  // durations
  '30d', '24d', '25d', '1ms', '0s', '99ms', '100ms', '1s2', '99999999999999999999999h', '100msec', '500us', '1M', '-1s', '1.5s', '"10"', '3000000', '0', '-1',
  // numbers and YAML specials
  '1.5', '2147483648', '1e300', '.inf', '-.inf', '.nan', '0x10', '"0x10"', '1_000',
  // scalars of every kind
  'null', '~', 'true', 'false', 'yes', '""', "''", '[]', '{}', '[1]', '{a: 1}', '"  "', '"\\t"',
  // header and method values
  '"X: a\\r\\nEvil: 1"', '"X: a\\0b"', '"X: \\u0100"', '"Host: evil"', '"Content-Length: 1"', '"Transfer-Encoding: chunked"', '"Bad Name: x"', '"no colon"', 'CONNECT', 'get', '"GE T"', 'PROPFIND',
  // endpoints
  'http:///path', '"http://:80/"', 'http://host:0/', 'http://.../', 'http://u:p@host/', 'http://host/%zz', 'ws://host/', 'ftp://host/', '"http://ho st/"', 'https://example.com/ok',
  // templates and secrets
  '"${{ secrets.API_TOKEN }}"', '"${{ secrets.API_TOKEN"', '"${{ secret.X }}"', '"${% if x %}"', '"${{ secrets.UNDECLARED }}"',
  // names and topics
  '"Bad Name/../x"', '"-x"', 'UPPER', 'a'.repeat(70),
  // aliases and tags
  '*nope', '!!binary aGVsbG8=', '!custom x', '"\\x00"',
] as const;

/** Keys that mutations add or rename to (known fields, typos, reserved names). */
const KEYS = ['interval', 'intreval', 'stream', 'delimiter', 'method', 'body', 'headers', 'user_agent', 'user-agent', 'count', 'timeout', 'topic', 'name', 'meta', 'transforms', 'secrets', 'apiVersion', 'allow_fast_interval', 'produce_any_status', 'backoff_min', 'backoff_max', 'max_retries', 'request_timeout', 'create-topic', 'x'];

/** Text inserted by a text mutation: YAML indicators and control characters. */
const SNIPPETS = [':', '- ', '[', ']', '{', '}', '&a ', '*a', '!', '|', '>', "'", '"', '%', '@', '`', '#', ',', '?', '\n', '\t', ' ', '\u0000', '\r', '\ufeff', '---\n', '...\n', '\u2028'];

export type Mutation =
  | { kind: 'replace'; at: number; value: string }
  | { kind: 'delete-key'; at: number }
  | { kind: 'rename-key'; at: number; key: string }
  | { kind: 'add-key'; at: number; key: string; value: string }
  | { kind: 'wrap'; at: number; list: boolean }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'cut'; at: number; length: number }
  | { kind: 'repeat-line'; at: number }
  | { kind: 'prefix'; text: string }
  | { kind: 'append'; text: string };

/** Text added at the start or the end of a config by a mutation. */
const PREFIXES = ['%YAML 1.3\n---\n', '%YAML 2.0\n---\n', '%YAML 1.2\n%YAML 1.2\n---\n', '%FOO bar\n---\n', '%YAML 1.1\n---\n', '---\n', '# comment\n', '\ufeff', 'extra: &x 1\n'];
const APPENDS = [
  'bomb: &a [x, x, x, x, x, x, x, x, x, x]\nb2: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nb3: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n',
  `deep: ${'['.repeat(80)}${']'.repeat(80)}\n`,
  `deep: ${'{a: '.repeat(40)}1${'}'.repeat(40)}\n`,
  'rec: &r [1, *r]\n',
  '---\nsecond: document\n',
  'dup: 1\ndup: 2\n',
  `many: {${Array.from({ length: 300 }, (_, i) => `k${i}: ${i}`).join(', ')}}\n`,
];

/** One mutation. `at` is reduced modulo the number of places when applied. */
export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: fc.constantFrom(...INTERESTING) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete-key' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rename-key' as const), at: fc.nat(), key: fc.constantFrom(...KEYS) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('add-key' as const), at: fc.nat(), key: fc.constantFrom(...KEYS), value: fc.constantFrom(...INTERESTING) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wrap' as const), at: fc.nat(), list: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 4 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('repeat-line' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('prefix' as const), text: fc.constantFrom(...PREFIXES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('append' as const), text: fc.constantFrom(...APPENDS) }) },
);

/** A seed and its mutations, and how to validate it. */
export interface MutatedConfig {
  seed: number;
  mutations: Mutation[];
  /** Validate as `serverless package` does (`--defer-secrets`). */
  deferSecrets: boolean;
}

export const mutatedConfigArbitrary: fc.Arbitrary<MutatedConfig> = fc.record({
  seed: fc.nat({ max: SEEDS.length - 1 }),
  mutations: fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 }),
  deferSecrets: fc.boolean(),
});

/** Every node of a document in order, with its parent collection when it is a mapping key or value. */
function nodesOf(text: string): { doc: ReturnType<typeof parseDocument>; nodes: Node[]; pairs: Array<{ map: Node; index: number }> } {
  const doc = parseDocument(text, { uniqueKeys: false });
  const nodes: Node[] = [];
  const pairs: Array<{ map: Node; index: number }> = [];
  visit(doc, {
    Map: (_key, map) => {
      map.items.forEach((_pair, index) => pairs.push({ map, index }));
    },
    Scalar: (_key, node) => void nodes.push(node),
    Seq: (_key, node) => void nodes.push(node),
  });
  return { doc, nodes, pairs };
}

/** A mutation of the YAML tree. */
type TreeMutation = Extract<Mutation, { kind: 'replace' | 'delete-key' | 'rename-key' | 'add-key' | 'wrap' }>;

/** Applies one tree mutation; returns the text unchanged when the tree has no place for it. */
function mutateTree(text: string, mutation: TreeMutation): string {
  const { doc, nodes, pairs } = nodesOf(text);
  if (doc.errors.length > 0) return text;
  switch (mutation.kind) {
    case 'replace': {
      const scalars = nodes.filter(isScalar);
      const target = scalars[mutation.at % Math.max(1, scalars.length)];
      if (!target?.range) return text;
      return `${text.slice(0, target.range[0])}${mutation.value}${text.slice(target.range[1])}`;
    }
    case 'wrap': {
      const target = nodes[mutation.at % Math.max(1, nodes.length)];
      if (!target?.range || isSeq(target)) return text;
      const source = text.slice(target.range[0], target.range[1]).trim();
      if (source.includes('\n')) return text;
      return `${text.slice(0, target.range[0])}${mutation.list ? `[${source}]` : `{v: ${source}}`}${text.slice(target.range[1])}`;
    }
    default: {
      const pair = pairs[mutation.at % Math.max(1, pairs.length)];
      if (!pair || !isMap(pair.map)) return text;
      const item = pair.map.items[pair.index]!;
      if (mutation.kind === 'delete-key') pair.map.items.splice(pair.index, 1);
      else if (mutation.kind === 'rename-key' && isScalar(item.key)) item.key.value = mutation.key;
      else if (mutation.kind === 'add-key') pair.map.add(doc.createPair(mutation.key, parseDocument(mutation.value).toJS()), true);
      else return text;
      return doc.toString();
    }
  }
}

/** Applies the mutations in order (a mutation that does not fit the text leaves it unchanged). */
export function applyMutations(seed: string, mutations: readonly Mutation[]): string {
  let text = seed;
  for (const mutation of mutations) {
    switch (mutation.kind) {
      case 'insert': {
        const at = mutation.at % (text.length + 1);
        text = text.slice(0, at) + mutation.text + text.slice(at);
        break;
      }
      case 'cut': {
        const at = mutation.at % (text.length + 1);
        text = text.slice(0, at) + text.slice(at + mutation.length);
        break;
      }
      case 'repeat-line': {
        const lines = text.split('\n');
        const at = mutation.at % lines.length;
        lines.splice(at, 0, lines[at]!);
        text = lines.join('\n');
        break;
      }
      case 'prefix':
        text = mutation.text + text;
        break;
      case 'append':
        text = `${text}${text.endsWith('\n') ? '' : '\n'}${mutation.text}`;
        break;
      default:
        try {
          text = mutateTree(text, mutation as TreeMutation);
        } catch {
          // a mutation the yaml library cannot write (e.g. a key it refuses): leave the text
        }
    }
  }
  return text;
}

/** Lines of a stack trace (`    at fn (file.js:1:2)`), which the CLI must never print. */
export const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;
