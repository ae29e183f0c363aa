/**
 * The Lambda handler of a periodic source whose config has secrets or transforms
 * (`functions/poller-full.handler`): {@link createPollHandler} with the whole config model and the
 * transforms engine in its bundle.
 *
 * - Without secrets, the config is `CONNECTOR_SPEC`, the generator's validated output (as in
 *   `functions/poller.handler`), and the transforms engine is required at init.
 * - With secrets, the config is `CONNECTOR_CONFIG`, its YAML, parsed at each invocation with the
 *   secret values, which come from SSM Parameter Store or Secrets Manager through middy
 *   middlewares into the handler's context only (never the environment or logs). Parsing with the
 *   values validates them like the rest of the config (the generator could not: they are known
 *   only here).
 *
 * Configs with neither run the smaller `functions/poller.handler` (functions/README.md, "Cold start").
 */
import middy from '@middy/core';
import type { ConnectorSpec } from '../lib/config';
import { decodeDeployedSpec } from '../lib/config/deployed';
import { parseConnectorConfig } from '../lib/config/parse';
import { periodicRegistry } from '../lib/connectors/periodic';
import { ConnectorEnv, parseRuntimeEnv, type RuntimeEnv } from '../lib/core';
import { runConnector } from '../lib/runtime/runner';
import { configText, contextSecrets, kinesisClientModule, secretMiddlewares } from './lambda-context';
import { createPollHandler as createHandler, loadsSdkAtInit, type PollHandlerDeps } from './poll-handler';

export { FLUSH_GRACE_MS, FULL_VCPU_MEMORY_MB, loadsSdkAtInit, type PollHandlerDeps, type PollResult } from './poll-handler';

/**
 * The config of an invocation: `CONNECTOR_SPEC` when set (`decodeDeployedSpec`), else
 * `CONNECTOR_CONFIG` parsed and validated in full, as `connector run` does, with the secret values
 * on `context` (a secret `endpoint` that is no URL fails the invocation with a located ConfigError
 * naming the field, never the value).
 * @throws ConnectorError DEPLOYED_SPEC_STALE (see decodeDeployedSpec); ConfigError when the YAML
 *   (with its secret values) is invalid; ConnectorError USAGE when neither variable is set.
 */
export function parsedSpec(env: RuntimeEnv, context: object): ConnectorSpec {
  const deployed = env[ConnectorEnv.SPEC];
  if (deployed !== undefined) return decodeDeployedSpec(deployed, periodicRegistry);
  const file = env[ConnectorEnv.CONFIG_FILE] ?? `$${ConnectorEnv.CONFIG}`;
  return parseConnectorConfig(configText(env), { file, registry: periodicRegistry, secrets: contextSecrets(context, env[ConnectorEnv.SECRETS_SOURCE]) });
}

/**
 * The poll handler (poll-handler.ts) reading its config with {@link parsedSpec} and running it with
 * `runConnector` (transforms included), unless `deps` says otherwise.
 * @see createHandler for the invocation's steps and errors.
 */
export function createPollHandler(deps: Partial<PollHandlerDeps> = {}): ReturnType<typeof createHandler> {
  return createHandler({ readSpec: parsedSpec, run: runConnector, ...deps });
}

if (loadsSdkAtInit(process.env)) kinesisClientModule();

/** The deployed handler: {@link createPollHandler} with the secret middlewares (none without secrets). */
export const handler = middy(createPollHandler()).use(secretMiddlewares(parseRuntimeEnv(process.env)));
