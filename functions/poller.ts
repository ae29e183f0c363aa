/**
 * The Lambda handler of every periodic source whose config has neither secrets nor transforms
 * (`functions/poller.handler`): {@link createPollHandler} running the config the generator
 * validated at `serverless package` (`CONNECTOR_SPEC`: the zod schemas' output as JSON, tagged with
 * the config schema's hash; lib/config/deployed.ts). Its bundle holds neither zod, nor yaml, nor the
 * transforms engine, nor the secret middlewares; the generator gives a config with secrets or
 * transforms `functions/poller-full.handler` (functions/README.md, "Cold start").
 */
import middy from '@middy/core';
import type { ConnectorSpec } from '../lib/config';
import { decodeDeployedSpec } from '../lib/config/deployed';
import { periodicRuntimes } from '../lib/connectors/periodic-runtime';
import { ConnectorEnv, ConnectorError, ErrorCode, type RuntimeEnv } from '../lib/core';
import { connectorRunner } from '../lib/runtime/connector-run';
import { kinesisClientModule } from './lambda-context';
import { createPollHandler as createHandler, loadsSdkAtInit, type PollHandlerDeps } from './poll-handler';

export { FLUSH_GRACE_MS, FULL_VCPU_MEMORY_MB, loadsSdkAtInit, type PollHandlerDeps, type PollResult } from './poll-handler';

/** What this handler tells a function whose environment is for the other one: redeploy. */
const REDEPLOY = 'this function must be deployed by serverless.yml (lib/deploy), which gives such configs functions/poller-full.handler; redeploy the service';

/**
 * The config of an invocation: `CONNECTOR_SPEC`, read back without parsing or validating again
 * (`decodeDeployedSpec`; the generator's zod schemas produced it).
 * @throws ConnectorError DEPLOYED_SPEC_STALE when it was written for another config schema (or is
 *   not a spec); ConnectorError USAGE when it is not set (e.g. only `CONNECTOR_DOCUMENT`, a config
 *   with secrets). Both say to redeploy.
 */
export function deployedSpec(env: RuntimeEnv): ConnectorSpec {
  const text = env[ConnectorEnv.SPEC];
  if (text === undefined) {
    const other = env[ConnectorEnv.DOCUMENT] !== undefined ? ` (only ${ConnectorEnv.DOCUMENT}: a config with secrets)` : env[ConnectorEnv.CONFIG] !== undefined ? ` (only ${ConnectorEnv.CONFIG}: a YAML text)` : '';
    throw new ConnectorError(`environment variable ${ConnectorEnv.SPEC} is not set${other}: ${REDEPLOY}`, ErrorCode.USAGE);
  }
  return decodeDeployedSpec(text, periodicRuntimes);
}

/**
 * The connector lifecycle of `connector run` without the transforms engine (not in this bundle): a
 * config with transforms is refused before anything runs.
 * @throws ConnectorError CONFIG_UNSUPPORTED for a config with transforms.
 */
export const runWithoutTransforms = connectorRunner(async ({ spec }) => {
  if (spec.transforms.length === 0) return undefined;
  throw new ConnectorError(`${spec.file}: this config has transforms, which functions/poller.handler does not run: ${REDEPLOY}`, ErrorCode.CONFIG_UNSUPPORTED);
});

/**
 * The poll handler (poll-handler.ts) reading `CONNECTOR_SPEC` ({@link deployedSpec}) and running it
 * without transforms ({@link runWithoutTransforms}), unless `deps` says otherwise.
 * @see createHandler for the invocation's steps and errors.
 */
export function createPollHandler(deps: Partial<PollHandlerDeps> = {}): ReturnType<typeof createHandler> {
  return createHandler({ readSpec: deployedSpec, run: runWithoutTransforms, ...deps });
}

if (loadsSdkAtInit(process.env)) kinesisClientModule();

/** The deployed handler: {@link createPollHandler} (no secrets, so no middlewares). */
export const handler = middy(createPollHandler());
