/**
 * The Filter and Shape stages: `transforms:` (Fluvio SmartModules). A registry of built-in
 * transforms (Hub SmartModules implemented natively), a host for SmartModule `.wasm` files, and
 * the chain that runs a config's steps on the records a source emits. The runtime
 * (lib/runtime/transform-stage.ts) applies each step's `on_error`. See README.md.
 */
import { arrayMapJson } from './array-map-json';
import { jolt } from './jolt';
import { jsonSql } from './json-sql';
import { createTransformRegistry } from './registry';
import { regexFilter } from './regex-filter';

export { type ChainFailure, type ChainOptions, type ChainResult, type OpenedStep, openTransformChain, type TransformChain } from './chain';
export type { ChainRecord, SmartModuleKind, StepFailure, StepResult, StepRuntime, TransformContext, TransformDefinition } from './definition';
export { createTransformRegistry, knownTransformNames, type ResolvedTransform, resolveTransform, type TransformRegistry } from './registry';
export {
  ON_ERROR_POLICIES,
  type OnErrorPolicy,
  parseByteSize,
  SMARTMODULE_NAME,
  type TransformStep,
  TransformParameterSchema,
  TransformStepSchema,
  TransformsSchema,
  WASM_PATH,
  WasmLimitDefaults,
} from './schema';

/** The built-in transforms: one line per Hub SmartModule implemented natively. */
export const defaultTransforms = createTransformRegistry([jolt, regexFilter, arrayMapJson, jsonSql]);
