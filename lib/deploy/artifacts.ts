import type { FunctionDefinition } from './fragment';

/** serverless-esbuild's default work folder (`custom.esbuild.outputWorkFolder`), relative to the service directory. */
export const ESBUILD_WORK_FOLDER = '.esbuild';

/** What decides that two functions can run the same zip: their handler and the extra files of their package. */
function artifactKey(definition: FunctionDefinition): string {
  const patterns = (definition.package as { patterns?: unknown } | undefined)?.patterns;
  return JSON.stringify([definition.handler, Array.isArray(patterns) ? [...(patterns as string[])].sort() : []]);
}

/**
 * One artifact per kind of function instead of one per function: the functions of a stack that have the
 * same handler and the same package patterns (every poller without SmartModule files, every sink) run the
 * same zip, so `serverless package` bundles and zips each kind once, whatever the number of connectors.
 * The config is not in the code: each function gets its own in its environment (`CONNECTOR_SPEC`, `CONNECTOR_DOCUMENT` or `CONNECTOR_CONFIG`).
 *
 * The first function of a kind (by key) is packaged by serverless-esbuild as usual, into
 * `<workFolder>/.serverless/<key>.zip`; each other one gets `skipEsbuild: true` (serverless-esbuild's option to
 * leave a function alone) and that zip as its `package.artifact`. serverless-esbuild moves its zips to
 * `.serverless/` once osls has checked them, and points every function's artifact there, so the template
 * names one S3 key per kind and `serverless deploy` uploads it once (osls uploads each distinct artifact once).
 *
 * A function whose config uses SmartModule `.wasm` files has them in its package patterns, so it shares a zip
 * only with functions using the same files: no function carries modules it does not run (a Hub module is
 * 300-600 KB).
 *
 * Pure: returns new definitions, `functions` is not modified.
 * @param workFolder - serverless-esbuild's `outputWorkFolder`; default {@link ESBUILD_WORK_FOLDER}.
 */
export function shareArtifacts(functions: Readonly<Record<string, FunctionDefinition>>, workFolder: string = ESBUILD_WORK_FOLDER): Record<string, FunctionDefinition> {
  const owners = new Map<string, string>();
  const shared: Record<string, FunctionDefinition> = {};
  for (const key of Object.keys(functions).sort()) {
    const definition = functions[key]!;
    const kind = artifactKey(definition);
    const owner = owners.get(kind);
    if (owner === undefined) {
      owners.set(kind, key);
      shared[key] = definition;
    } else {
      const { package: _ownPackage, ...rest } = definition;
      shared[key] = { ...rest, skipEsbuild: true, package: { artifact: `${workFolder}/.serverless/${owner}.zip` } };
    }
  }
  // Keep the generator's key order (osls compiles functions in this order).
  return Object.fromEntries(Object.keys(functions).map((key) => [key, shared[key]!]));
}
