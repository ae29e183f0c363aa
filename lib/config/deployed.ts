/**
 * The config a deployed poller runs: the config model's output (what `parseConnectorConfig`'s zod
 * schemas produced at `serverless package`: defaults applied, durations in ms, both Fluvio formats
 * normalised), written by the generator as JSON into the function's `CONNECTOR_SPEC`, tagged with
 * the config schema it was validated against. The poller reads it back with
 * {@link decodeDeployedSpec} without loading zod or yaml: zod stays the single source of truth (it
 * produced this JSON) while the function neither bundles nor runs it for such configs
 * (functions/README.md, "Cold start").
 *
 * Only configs without secrets are written this way: a `${{ secrets.X }}` value is known only at
 * invocation (SSM Parameter Store or Secrets Manager) and must then be validated like the rest of
 * the config, so those pollers get `CONNECTOR_DOCUMENT` (the YAML document's data, deployed-document.ts)
 * and validate it in full.
 *
 * No zod, no yaml here, and only type imports of the config model: this module is in the poller's
 * bundle.
 */
import type { ConnectorDefinition, SourceRuntime } from '../core/definition';
import { ConnectorError, ErrorCode } from '../core/errors';
import type { ConnectorSpec } from './spec';

/**
 * Tag of the specs this code reads: the layout's version (`1`) and 12 hex characters of the sha256
 * of the connector config's JSON Schema (`configJsonSchema(periodicRegistry)`, generated from the zod
 * schemas). A test recomputes it and fails, with the new value, when a schema changes: update it
 * then, so a function running code of one schema never runs a spec validated by another.
 */
export const DEPLOYED_SPEC_TAG = '1:222a031f2ae0';

/** The fields of a {@link ConnectorSpec} a deployed spec keeps (not the definition, a function, nor a local `baseDir`). */
type DeployedFields = Omit<ConnectorSpec, 'definition' | 'redact' | 'baseDir'>;

/** The JSON of `CONNECTOR_SPEC`. */
interface DeployedSpecDocument {
  tag: string;
  spec: DeployedFields;
}

/**
 * The `CONNECTOR_SPEC` text of a validated spec: JSON `{"tag": DEPLOYED_SPEC_TAG, "spec": {…}}`.
 * @param spec - parsed by `parseConnectorConfig` (the generator's `deferSecrets` parse) of a config
 *   that declares no secrets.
 * @param file - the config's path in the service (`configs/x.yaml`), as `CONNECTOR_CONFIG_FILE`:
 *   relative SmartModule paths resolve against its directory in the function's package.
 * @throws Error when the spec declares secrets (a generator bug: such configs travel as YAML).
 * @example
 * encodeDeployedSpec(spec, 'configs/cat-facts.yaml'); // '{"tag":"1:…","spec":{"file":"configs/cat-facts.yaml","format":"legacy",…}}'
 */
export function encodeDeployedSpec(spec: ConnectorSpec, file: string): string {
  if (spec.secrets.length > 0 || spec.redact) throw new Error(`${spec.file}: a config with secrets cannot be deployed as CONNECTOR_SPEC (its values are known only at invocation)`);
  const fields: DeployedFields = {
    file,
    format: spec.format,
    name: spec.name,
    type: spec.type,
    version: spec.version,
    direction: spec.direction,
    config: spec.config,
    topic: spec.topic,
    ...(spec.producer === undefined ? {} : { producer: spec.producer }),
    ...(spec.consumer === undefined ? {} : { consumer: spec.consumer }),
    secrets: spec.secrets,
    transforms: spec.transforms,
    warnings: spec.warnings,
  };
  const document: DeployedSpecDocument = { tag: DEPLOYED_SPEC_TAG, spec: fields };
  return JSON.stringify(document);
}

/** The stale-spec error: what is wrong and what to do. */
function stale(detail: string): ConnectorError {
  return new ConnectorError(`CONNECTOR_SPEC ${detail}: redeploy the service (\`serverless deploy\`) so that the generator validates the config again and writes it for this code`, ErrorCode.DEPLOYED_SPEC_STALE);
}

/**
 * The definition of a spec run from its {@link SourceRuntime} alone: what parsing needs (the schema)
 * is not there, and asking for it is a bug that says so.
 */
function runtimeDefinition(runtime: SourceRuntime): ConnectorDefinition {
  return {
    ...runtime,
    summary: runtime.type,
    get schema(): never {
      throw new Error(`${runtime.type}: a deployed spec runs without the connector's schema (the generator validated it); parse the config to get one`);
    },
  } as ConnectorDefinition;
}

/**
 * Reads a `CONNECTOR_SPEC` back into the {@link ConnectorSpec} the generator validated, with its
 * connector definition from `definitions`.
 * @param definitions - the connector types this function runs: `periodicRegistry`, or their
 *   runtime parts alone (`periodicRuntimes`: then `spec.definition.schema` throws).
 * @throws ConnectorError DEPLOYED_SPEC_STALE when the text is not a spec document, its tag is not
 *   {@link DEPLOYED_SPEC_TAG} (written for another config schema), or its type is not one of
 *   `definitions`; the message says to redeploy.
 */
export function decodeDeployedSpec(text: string, definitions: { get(type: string): ConnectorDefinition | SourceRuntime | undefined }): ConnectorSpec {
  let document: Partial<DeployedSpecDocument>;
  try {
    document = JSON.parse(text) as Partial<DeployedSpecDocument>;
  } catch (error) {
    throw stale(`is not JSON (${(error as Error).message})`);
  }
  if (typeof document !== 'object' || document === null || typeof document.spec !== 'object' || document.spec === null) throw stale('holds no spec');
  if (document.tag !== DEPLOYED_SPEC_TAG) {
    throw stale(`was validated against config schema ${JSON.stringify(document.tag ?? null)}, and this function's code runs ${JSON.stringify(DEPLOYED_SPEC_TAG)}`);
  }
  const spec = document.spec;
  const found = typeof spec.type === 'string' ? definitions.get(spec.type) : undefined;
  if (!found) throw stale(`names connector type ${JSON.stringify(spec.type)}, which this function does not run`);
  return { ...spec, definition: 'schema' in found ? found : runtimeDefinition(found) };
}
