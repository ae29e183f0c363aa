import type { ConnectorDefinition } from './definition';

/** Top-level keys of apiVersion configs that a connector section may not use (FL derive `ast.rs`). */
export const RESERVED_SECTIONS = ['apiVersion', 'meta', 'transforms'] as const;

/** A set of connector types, looked up by canonical or legacy type name. A plain value: build as many as you like. */
export interface ConnectorRegistry {
  /** Every registered definition, in registration order. */
  readonly definitions: readonly ConnectorDefinition[];
  /** The definition for a canonical or legacy `type`, or `undefined`. */
  get(type: string): ConnectorDefinition | undefined;
  /** Every accepted `type` string (canonical and legacy), for "expected one of" messages and suggestions. */
  readonly typeNames: readonly string[];
}

/**
 * Builds a registry from definitions.
 * @throws Error when two definitions claim the same type name, or a section uses a reserved name
 *   (`apiVersion`, `meta`, `transforms`): programming errors.
 * @example
 * const registry = createRegistry([httpSource, testConnector]);
 * registry.get('http')?.type; // 'http-source'
 */
export function createRegistry(definitions: readonly ConnectorDefinition[]): ConnectorRegistry {
  const byName = new Map<string, ConnectorDefinition>();
  for (const def of definitions) {
    if ((RESERVED_SECTIONS as readonly string[]).includes(def.section)) {
      throw new Error(`connector type "${def.type}" uses the reserved section name "${def.section}"`);
    }
    for (const name of [def.type, ...(def.legacyTypes ?? [])]) {
      if (byName.has(name)) throw new Error(`connector type "${name}" registered twice`);
      byName.set(name, def);
    }
  }
  return {
    definitions: [...definitions],
    get: (type) => byName.get(type),
    typeNames: [...byName.keys()],
  };
}
