import { existsSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import type { TransformDefinition } from './definition';
import { SMARTMODULE_NAME, WASM_PATH } from './schema';

/** A set of built-in transforms, looked up by `group/name` (canonical or alias). A plain value. */
export interface TransformRegistry {
  /** Every registered definition, in registration order. */
  readonly definitions: readonly TransformDefinition[];
  /** The definition of `group/name` (no version), or `undefined`. */
  get(name: string): TransformDefinition | undefined;
  /** Every accepted name (canonical and aliases), for "expected one of" messages. */
  readonly names: readonly string[];
}

/**
 * Builds a registry.
 * @throws Error when two definitions claim the same name (a programming error).
 * @example createTransformRegistry([jolt, regexFilter]).get('infinyon/jolt')?.kind // 'map'
 */
export function createTransformRegistry(definitions: readonly TransformDefinition[]): TransformRegistry {
  const byName = new Map<string, TransformDefinition>();
  for (const definition of definitions) {
    for (const name of [definition.name, ...(definition.aliases ?? [])]) {
      if (byName.has(name)) throw new Error(`transform "${name}" registered twice`);
      byName.set(name, definition);
    }
  }
  return { definitions: [...definitions], get: (name) => byName.get(name), names: [...byName.keys()] };
}

/** What a `uses:` names. */
export type ResolvedTransform =
  | { readonly type: 'builtin'; readonly definition: TransformDefinition }
  /** A SmartModule file: `path` is absolute; it may not exist (the caller checks). */
  | { readonly type: 'wasm'; readonly path: string }
  | { readonly type: 'unknown' };

/**
 * Resolves a step's `uses:`:
 * - `group/name@x.y.z` of a built-in transform (any version) → that transform;
 * - a path ending in `.wasm` → that file, relative to `baseDir` (the config file's directory);
 * - another `group/name@x.y.z` → the file `<name>.wasm` in `baseDir` when it exists (a SmartModule
 *   built with `smdk build` and copied next to the config, as `smdk load` would name it);
 * - otherwise unknown.
 * @example resolveTransform('infinyon/jolt@0.4.1', defaultTransforms, 'configs').type // 'builtin'
 */
export function resolveTransform(uses: string, registry: TransformRegistry, baseDir: string): ResolvedTransform {
  if (WASM_PATH.test(uses)) return { type: 'wasm', path: isAbsolute(uses) ? uses : resolve(baseDir, uses) };
  if (!SMARTMODULE_NAME.test(uses)) return { type: 'unknown' };
  const name = uses.slice(0, uses.indexOf('@'));
  const definition = registry.get(name);
  if (definition) return { type: 'builtin', definition };
  const local = resolve(baseDir, `${basename(name)}.wasm`);
  return existsSync(local) ? { type: 'wasm', path: local } : { type: 'unknown' };
}

/** The known `uses:` forms, for an "expected one of" message. */
export function knownTransformNames(registry: TransformRegistry): string[] {
  return [...registry.names.map((name) => `${name}@x.y.z`), 'a path to a .wasm file', '<name>.wasm next to the config for group/<name>@x.y.z'];
}
