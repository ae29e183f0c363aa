import { cloneJson, compareKeys, type Json, isJsonObject, setKey } from '../json';
import type { AtRef, IndexOp, Lhs, MatchRef, Rhs, RhsEntry } from './expression';
import type { JoltOperation, ShiftEntry, ShiftNode, SpecLeaf } from './spec';

/**
 * Applies Jolt operations in order, as fluvio-jolt does (github.com/infinyon/fluvio-jolt:
 * `src/shift.rs`, `src/default.rs`, `src/remove.rs`; `SPEC.md` "Behavior"):
 *
 * - **shift** builds a new document: at each level the `@`, `$` and `#` keys run first, once, in spec
 *   order; then each input key (object keys in sorted order, array indexes, or a scalar's own text)
 *   is matched by a literal key, else an `&` key, else the first matching `*`/`|` pattern. A match
 *   either descends (the value is a mapping) or writes the input value to each output path. Writing
 *   where a value already is makes an array of both; `[]` appends. Reading a missing key or index
 *   (in `@(…)`) is an error. A shift that writes nothing gives `{}`.
 * - **default** writes each leaf of its spec where the input has nothing (creating mappings).
 * - **remove** deletes each leaf of its spec from the input.
 *
 * @throws Error for a shift that reads what is not there, or an index that is not a number.
 */
export function applyJolt(operations: readonly JoltOperation[], input: Json): Json {
  let value = input;
  for (const operation of operations) {
    if (operation.type === 'shift') value = shift(operation.node, value);
    else if (operation.type === 'default') value = applyDefault(operation.leaves, value);
    else value = applyRemove(operation.leaves, value);
  }
  return value;
}

/** One level of the walk: the captures of the key that led here, and the input value there. */
interface Level {
  readonly matches: readonly string[];
  readonly value: Json;
}

/** Where output goes: a holder whose `slot` property is the current position. */
interface Cursor {
  container: Record<string, Json> | Json[] | { value: Json };
  slot: string | number;
}

function shift(node: ShiftNode, input: Json): Json {
  const root = { value: null as Json };
  const path: Level[] = [{ matches: ['root'], value: input }];
  applyNode(node, path, root);
  return root.value === null ? {} : root.value;
}

function applyNode(node: ShiftNode, path: Level[], out: { value: Json }): void {
  const top = path[path.length - 1] as Level;
  for (const entry of node.entries) {
    if (entry.lhs.type === 'at') runEntry(entry, path, { matches: top.matches, value: top.value }, evalAt(entry.lhs, path), out);
    else if (entry.lhs.type === 'dollar') runEntry(entry, path, { matches: top.matches, value: top.value }, getMatch(entry.lhs, path), out);
    else if (entry.lhs.type === 'square') runEntry(entry, path, { matches: top.matches, value: top.value }, entry.lhs.literal, out);
  }
  const input = top.value;
  if (isJsonObject(input)) {
    for (const key of Object.keys(input).sort(compareKeys)) matchKey(node, path, key, input[key] as Json, out);
  } else if (Array.isArray(input)) {
    input.forEach((item, index) => matchKey(node, path, String(index), item, out));
  } else {
    matchKey(node, path, input === null ? 'null' : String(input), input, out);
  }
}

/** Literal keys first, then `&` keys, then patterns; the first match wins. */
function matchKey(node: ShiftNode, path: Level[], key: string, value: Json, out: { value: Json }): void {
  for (const type of ['literal', 'amp', 'pipes'] as const) {
    for (const entry of node.entries) {
      if (entry.lhs.type !== type) continue;
      const matches = matchLhs(entry.lhs, key, path);
      if (matches) {
        runEntry(entry, path, { matches, value }, value, out);
        return;
      }
    }
  }
}

function matchLhs(lhs: Lhs, key: string, path: Level[]): string[] | undefined {
  switch (lhs.type) {
    case 'literal':
      return lhs.key === key ? [key] : undefined;
    case 'amp':
      return getMatch(lhs, path) === key ? [key] : undefined;
    case 'pipes':
      for (const segments of lhs.alternatives) {
        const matches = matchStars(segments, key);
        if (matches) return matches;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** `a*b*c` against a key: the whole key, then what each star matched; `undefined` when it does not match. */
export function matchStars(segments: readonly string[], key: string): string[] | undefined {
  if (segments.length === 1) return segments[0] === key ? [key] : undefined;
  const first = segments[0] as string;
  const last = segments[segments.length - 1] as string;
  if (!key.startsWith(first)) return undefined;
  const captures: string[] = [];
  let position = first.length;
  for (const segment of segments.slice(1, -1)) {
    const index = key.indexOf(segment, position);
    if (index < 0) return undefined;
    captures.push(key.slice(position, index));
    position = index + segment.length;
  }
  if (!key.endsWith(last) || key.length - last.length < position) return undefined;
  captures.push(key.slice(position, key.length - last.length));
  return [key, ...captures];
}

function runEntry(entry: ShiftEntry, path: Level[], level: Level, value: Json, out: { value: Json }): void {
  path.push(level);
  try {
    const { target } = entry;
    if (target.type === 'object') applyNode(target.node, path, out);
    else if (target.type === 'rhs') for (const rhs of target.paths) write(rhs, cloneJson(value), path, out);
  } finally {
    path.pop();
  }
}

function getMatch(ref: MatchRef, path: readonly Level[]): string {
  const level = path[path.length - 1 - ref.path];
  if (!level) throw new Error(`&(${ref.path},${ref.match}) reaches ${ref.path} levels up, but the input is only ${path.length - 1} levels deep here`);
  const match = level.matches[ref.match];
  if (match === undefined) throw new Error(`&(${ref.path},${ref.match}): the key ${ref.path} levels up has ${level.matches.length - 1} wildcard matches`);
  return match;
}

function evalAt(ref: AtRef, path: readonly Level[]): Json {
  const level = path[path.length - 1 - ref.path];
  if (!level) throw new Error(`@(${ref.path},…) reaches ${ref.path} levels up, but the input is only ${path.length - 1} levels deep here`);
  let value = level.value;
  for (const part of ref.rhs) {
    if (part.type === 'index') {
      if (!Array.isArray(value)) throw new Error('@(…) indexes into a value that is not an array');
      const index = indexOf(part.op, path);
      if (index === undefined) throw new Error('@(…) cannot read "[]"');
      if (index >= value.length) throw new Error(`@(…) index ${index} is out of range (array of ${value.length})`);
      value = value[index] as Json;
    } else {
      if (!isJsonObject(value)) throw new Error('@(…) reads a key of a value that is not a mapping');
      const key = keyOf(part.entries, path);
      if (!Object.hasOwn(value, key)) throw new Error(`@(…) key "${key}" not found`);
      value = value[key] as Json;
    }
  }
  return value;
}

function keyOf(entries: readonly RhsEntry[], path: readonly Level[]): string {
  let key = '';
  for (const entry of entries) {
    if (entry.type === 'key') key += entry.text;
    else if (entry.type === 'amp') key += getMatch(entry, path);
    else {
      const value = evalAt(entry, path);
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') key += String(value);
      else throw new Error('@(…) in an output path must give a string, a number or a boolean');
    }
  }
  return key;
}

/** The index of an index part; `undefined` for `[]` (append). */
function indexOf(op: IndexOp, path: readonly Level[]): number | undefined {
  const parse = (text: string): number => {
    if (!/^\d+$/.test(text)) throw new Error(`array index "${text}" is not a number`);
    return Number(text);
  };
  switch (op.type) {
    case 'append':
      return undefined;
    case 'literal':
      return op.index;
    case 'amp':
      return parse(getMatch(op, path));
    case 'at': {
      const value = evalAt(op, path);
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
      if (typeof value === 'string') return parse(value);
      throw new Error(`array index ${JSON.stringify(value)} is not a number`);
    }
  }
}

/** Writes `value` at `rhs` in the output (fluvio-jolt `insert_val_to_rhs`). */
function write(rhs: Rhs, value: Json, path: readonly Level[], out: { value: Json }): void {
  const cursor: Cursor = { container: out, slot: 'value' };
  const current = (): Json => {
    const container = cursor.container as Record<string | number, Json>;
    return Object.hasOwn(container, cursor.slot) ? (container[cursor.slot] ?? null) : null;
  };
  const set = (next: Json): void => {
    if (Array.isArray(cursor.container)) cursor.container[cursor.slot as number] = next;
    else setKey(cursor.container as Record<string, Json>, String(cursor.slot), next);
  };
  for (const part of rhs) {
    if (part.type === 'index') {
      const existing = current();
      const array = Array.isArray(existing) ? existing : existing === null ? [] : [existing];
      set(array);
      const index = indexOf(part.op, path);
      if (index === undefined) {
        array.push(null);
        cursor.container = array;
        cursor.slot = array.length - 1;
      } else {
        while (array.length <= index) array.push(null);
        cursor.container = array;
        cursor.slot = index;
      }
    } else {
      const key = keyOf(part.entries, path);
      const existing = current();
      const object = isJsonObject(existing) ? existing : {};
      set(object);
      if (!Object.hasOwn(object, key)) setKey(object, key, null);
      cursor.container = object;
      cursor.slot = key;
    }
  }
  const existing = current();
  if (existing === null) set(value);
  else if (Array.isArray(existing)) existing.push(value);
  else set([existing, value]);
}

function applyDefault(specLeaves: readonly SpecLeaf[], input: Json): Json {
  for (const leaf of specLeaves) {
    if (lookup(input, leaf.keys) !== undefined) continue;
    let node: Json = input;
    for (const key of leaf.keys.slice(0, -1)) {
      if (!isJsonObject(node)) break;
      if (!Object.hasOwn(node, key)) setKey(node, key, {});
      node = node[key] as Json;
    }
    if (isJsonObject(node)) setKey(node, leaf.keys[leaf.keys.length - 1] as string, cloneJson(leaf.value));
  }
  return input;
}

function applyRemove(specLeaves: readonly SpecLeaf[], input: Json): Json {
  for (const leaf of specLeaves) {
    const parent = lookup(input, leaf.keys.slice(0, -1));
    const key = leaf.keys[leaf.keys.length - 1] as string;
    if (isJsonObject(parent)) delete parent[key];
  }
  return input;
}

/** The value at `keys` (JSON Pointer semantics: an array is indexed by a decimal key), or `undefined`. */
function lookup(value: Json, keys: readonly string[]): Json | undefined {
  let node: Json | undefined = value;
  for (const key of keys) {
    if (isJsonObject(node)) node = Object.hasOwn(node, key) ? node[key] : undefined;
    else if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(key)) node = node[Number(key)];
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}
