import type { z } from 'zod';
import { isDurationSchema } from './duration';

/** One step of a path into a config document: a mapping key or a list index. */
export type PathSegment = string | number;

/**
 * Reading zod schemas as data: which keys an object at a path knows (for "did you mean"
 * suggestions) and what scalar a field wants (for legacy string/number coercion).
 * Works on zod 4's public `_zod.def` (`type`, `innerType`, `in`/`out`, `shape`, `element`, `options`).
 */

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: readonly z.ZodType[];
  valueType?: z.ZodType;
  getter?: () => z.ZodType;
};

const defOf = (schema: z.ZodType): Def => schema._zod.def as unknown as Def;

/** Wrapper kinds that do not change the shape of the input. */
const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

/**
 * Strips wrappers (`optional`, `default`, `prefault`…), preprocess steps and output transforms,
 * down to the schema that checks the input's shape. Stops at a duration schema (see
 * {@link isDurationSchema}) so callers can recognise it.
 */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let guard = 0; guard < 50; guard += 1) {
    if (isDurationSchema(current)) return current;
    const def = defOf(current);
    if (WRAPPERS.has(def.type) && def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in && def.out) current = defOf(def.in).type === 'transform' ? def.out : def.in;
    else if (def.type === 'lazy' && def.getter) current = def.getter();
    else return current;
  }
  return current;
}

/** The schemas that may describe the value at `path` (several when a union is crossed). */
function schemasAt(schema: z.ZodType, path: readonly PathSegment[]): z.ZodType[] {
  let current = [schema];
  for (const segment of path) {
    const next: z.ZodType[] = [];
    for (const candidate of current.flatMap(expandUnion)) {
      const def = defOf(candidate);
      if (def.type === 'object' && typeof segment === 'string' && def.shape?.[segment]) next.push(def.shape[segment]);
      else if (def.type === 'array' && typeof segment === 'number' && def.element) next.push(def.element);
      else if (def.type === 'record' && def.valueType) next.push(def.valueType);
    }
    current = next;
  }
  return current.flatMap(expandUnion);
}

function expandUnion(schema: z.ZodType): z.ZodType[] {
  const inner = unwrapSchema(schema);
  const def = defOf(inner);
  return def.type === 'union' && def.options ? def.options.flatMap(expandUnion) : [inner];
}

/** Keys known by the object schema(s) at `path` of `schema`, in declaration order, without duplicates. */
export function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  const keys = schemasAt(schema, path).flatMap((candidate) => {
    const def = defOf(candidate);
    return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
  });
  return [...new Set(keys)];
}

/** What scalar a field expects, as far as legacy coercion cares. */
export type FieldKind =
  | { kind: 'duration' | 'boolean' | 'number' | 'string' | 'other' }
  | { kind: 'array'; element: FieldKind };

/** Classifies a field schema: duration, boolean, number, string (incl. enums, URLs), list of those, or other. */
export function fieldKind(schema: z.ZodType): FieldKind {
  const inner = unwrapSchema(schema);
  if (isDurationSchema(inner)) return { kind: 'duration' };
  const def = defOf(inner);
  switch (def.type) {
    case 'boolean':
      return { kind: 'boolean' };
    case 'number':
    case 'int':
      return { kind: 'number' };
    case 'string':
    case 'enum':
      return { kind: 'string' };
    case 'array':
      return def.element ? { kind: 'array', element: fieldKind(def.element) } : { kind: 'other' };
    default:
      return { kind: 'other' };
  }
}

/** The field schemas of an object schema (after unwrapping), or `undefined` when it is not an object. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const def = defOf(unwrapSchema(schema));
  return def.type === 'object' ? def.shape : undefined;
}
