/**
 * The Filter and Shape stages: `transforms:` (Fluvio SmartModules). The step schema lives here;
 * executing steps is not built yet, so every place that would run a config (the runtime, `connector
 * deploy start`, the deployment generator) asks {@link unsupportedTransforms} and refuses it. The
 * transform chain replaces that answer with a registry of runnable transforms.
 */
export { type TransformStep, TransformParameterSchema, TransformStepSchema, TransformsSchema } from './schema';
import type { TransformStep } from './schema';

/**
 * Why these steps cannot run, or `undefined` when they can (no steps).
 * @example unsupportedTransforms([{ uses: 'infinyon/jolt@0.4.1', with: {} }]) // 'transforms are not executed yet (infinyon/jolt@0.4.1)'
 */
export function unsupportedTransforms(steps: readonly TransformStep[]): string | undefined {
  if (steps.length === 0) return undefined;
  return `transforms are not executed yet (${steps.map((step) => step.uses).join(', ')})`;
}
