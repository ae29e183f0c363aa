import { type Json, isJsonObject } from '../json';
import { isInfallible, JoltSyntaxError, type Lhs, parseLhs, parseRhs, type Rhs } from './expression';

/** Where in the spec (its JSON) a problem is: operation index, then keys. */
export type SpecPath = (string | number)[];

/** A spec that cannot be compiled, with the path of the offending part. */
export class JoltSpecError extends Error {
  constructor(
    readonly path: SpecPath,
    message: string,
    /** Whether the problem is the key at `path` (a shift key) rather than its value. */
    readonly target: 'key' | 'value' = 'value',
  ) {
    super(message);
    this.name = 'JoltSpecError';
  }
}

/** What a shift spec key leads to: a nested spec, one or more output paths, or nothing (`null`). */
export type ShiftTarget = { readonly type: 'object'; readonly node: ShiftNode } | { readonly type: 'rhs'; readonly paths: readonly Rhs[] } | { readonly type: 'none' };

/** One `key: value` pair of a shift spec, compiled. */
export interface ShiftEntry {
  readonly lhs: Lhs;
  readonly target: ShiftTarget;
}

/** One level of a shift spec, its entries in spec order. */
export interface ShiftNode {
  readonly entries: readonly ShiftEntry[];
}

/** A leaf of a `default` or `remove` spec: the keys down to it and its value. */
export interface SpecLeaf {
  readonly keys: readonly string[];
  readonly value: Json;
}

/** A compiled operation. */
export type JoltOperation = { readonly type: 'shift'; readonly node: ShiftNode } | { readonly type: 'default'; readonly leaves: readonly SpecLeaf[] } | { readonly type: 'remove'; readonly leaves: readonly SpecLeaf[] };

const OPERATIONS = ['shift', 'default', 'remove'] as const;

function compileShift(spec: Json, path: SpecPath): ShiftNode {
  if (!isJsonObject(spec)) throw new JoltSpecError(path, 'expected a mapping of input keys to output paths');
  const entries: ShiftEntry[] = [];
  for (const [key, value] of Object.entries(spec)) {
    const at = [...path, key];
    let lhs: Lhs;
    try {
      lhs = parseLhs(key);
    } catch (err) {
      throw new JoltSpecError(at, `invalid key: ${(err as JoltSyntaxError).message}`, 'key');
    }
    const rhs = (text: Json, where: SpecPath): Rhs => {
      if (typeof text !== 'string') throw new JoltSpecError(where, 'expected an output path (a string), a list of them, a mapping or null');
      try {
        return parseRhs(text);
      } catch (err) {
        throw new JoltSpecError(where, `invalid output path: ${(err as JoltSyntaxError).message}`);
      }
    };
    let target: ShiftTarget;
    if (value === null) target = { type: 'none' };
    else if (isJsonObject(value)) {
      if (isInfallible(lhs)) throw new JoltSpecError(at, `a "${key}" key takes an output path, not a mapping`);
      target = { type: 'object', node: compileShift(value, at) };
    } else if (Array.isArray(value)) target = { type: 'rhs', paths: value.map((item, index) => rhs(item, [...at, index])) };
    else target = { type: 'rhs', paths: [rhs(value, at)] };
    entries.push({ lhs, target });
  }
  return { entries };
}

/** The leaves of a nested `default`/`remove` spec (an empty mapping is a leaf too). */
function leaves(spec: Json, path: SpecPath): SpecLeaf[] {
  if (!isJsonObject(spec)) throw new JoltSpecError(path, 'expected a mapping');
  const out: SpecLeaf[] = [];
  const walk = (node: { [key: string]: Json }, keys: string[]): void => {
    for (const [key, value] of Object.entries(node)) {
      if (isJsonObject(value) && Object.keys(value).length > 0) walk(value, [...keys, key]);
      else out.push({ keys: [...keys, key], value });
    }
  };
  walk(spec, []);
  return out;
}

/**
 * Compiles a Jolt transform spec: a list of `{operation: shift|default|remove, spec: {...}}` (a
 * single such mapping is read as a list of one, as the jolt 0.3.0 README writes it).
 * @throws JoltSpecError naming the path of the first problem (`[0, 'spec', 'a*b']`).
 */
export function compileJoltSpec(spec: Json): JoltOperation[] {
  const list = Array.isArray(spec) ? spec : isJsonObject(spec) ? [spec] : undefined;
  if (!list) throw new JoltSpecError([], 'expected a list of operations ({operation: shift|default|remove, spec: {...}})');
  return list.map((entry, index): JoltOperation => {
    if (!isJsonObject(entry)) throw new JoltSpecError([index], 'expected an operation: {operation: shift|default|remove, spec: {...}}');
    const unknown = Object.keys(entry).filter((key) => key !== 'operation' && key !== 'spec');
    if (unknown.length > 0) throw new JoltSpecError([index, unknown[0] as string], 'unknown field, expected "operation" or "spec"', 'key');
    const operation = entry.operation;
    if (typeof operation !== 'string' || !(OPERATIONS as readonly string[]).includes(operation)) {
      throw new JoltSpecError([index, 'operation'], `unknown operation ${JSON.stringify(operation ?? null)}, expected one of "shift", "default", "remove"`);
    }
    if (!('spec' in entry)) throw new JoltSpecError([index], 'missing field "spec"');
    const at = [index, 'spec'];
    if (operation === 'shift') return { type: 'shift', node: compileShift(entry.spec as Json, at) };
    return { type: operation as 'default' | 'remove', leaves: leaves(entry.spec as Json, at) };
  });
}
