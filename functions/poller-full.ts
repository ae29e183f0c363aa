/**
 * The Lambda handler of a periodic source whose config has secrets or transforms
 * (`functions/poller-full.handler`): {@link createPollHandler} with the whole config model and the
 * transforms engine in its bundle.
 *
 * - Without secrets, the config is `CONNECTOR_SPEC`, the generator's validated output (as in
 *   `functions/poller.handler`), and the transforms engine is required at init.
 * - With secrets, the config is `CONNECTOR_DOCUMENT`, its YAML document's data as JSON
 *   (lib/config/deployed-document.ts: no YAML reader in this bundle), validated at each invocation
 *   with the secret values, which come from SSM Parameter Store or Secrets Manager through middy
 *   middlewares into the handler's context only (never the environment or logs). Validating with
 *   the values checks them like the rest of the config (the generator could not: they are known
 *   only here), with the config model's zod schemas.
 *
 * Configs with neither run the smaller `functions/poller.handler` (functions/README.md, "Cold start").
 */
import middy from '@middy/core';
import type { ConnectorSpec } from '../lib/config';
import { decodeDeployedSpec } from '../lib/config/deployed';
import { decodeConfigDocument } from '../lib/config/deployed-document';
import { parseConfigDocument } from '../lib/config/parse-document';
import { periodicRegistry } from '../lib/connectors/periodic';
import { ConnectorEnv, ConnectorError, ErrorCode, parseRuntimeEnv, type RuntimeEnv } from '../lib/core';
import { runConnector } from '../lib/runtime/runner';
import { contextSecrets, kinesisClientModule, secretMiddlewares } from './lambda-context';
import { createPollHandler as createHandler, loadsSdkAtInit, type PollHandlerDeps } from './poll-handler';

export { FLUSH_GRACE_MS, FULL_VCPU_MEMORY_MB, loadsSdkAtInit, type PollHandlerDeps, type PollResult } from './poll-handler';

/**
 * The config of an invocation: `CONNECTOR_SPEC` when set (`decodeDeployedSpec`), else
 * `CONNECTOR_DOCUMENT` (the config's YAML document as JSON, `decodeConfigDocument`) validated in
 * full, as `connector run` does, with the secret values on `context` (a secret `endpoint` that is no
 * URL fails the invocation with a located ConfigError naming the field, never the value).
 * @throws ConnectorError DEPLOYED_SPEC_STALE (see decodeDeployedSpec, decodeConfigDocument);
 *   ConfigError when the config (with its secret values) is invalid; ConnectorError USAGE when
 *   neither variable is set (e.g. only `CONNECTOR_CONFIG`, a YAML text, which this function does not
 *   read: redeploy).
 */
export function parsedSpec(env: RuntimeEnv, context: object): ConnectorSpec {
  const deployed = env[ConnectorEnv.SPEC];
  if (deployed !== undefined) return decodeDeployedSpec(deployed, periodicRegistry);
  const document = env[ConnectorEnv.DOCUMENT];
  if (document === undefined) {
    const yaml = env[ConnectorEnv.CONFIG] === undefined ? '' : ` (only ${ConnectorEnv.CONFIG}, a YAML text, which this function does not read)`;
    throw new ConnectorError(`environment variable ${ConnectorEnv.SPEC} or ${ConnectorEnv.DOCUMENT} is not set${yaml}: this function must be deployed by serverless.yml (lib/deploy); redeploy the service`, ErrorCode.USAGE);
  }
  const file = env[ConnectorEnv.CONFIG_FILE] ?? `$${ConnectorEnv.DOCUMENT}`;
  return parseConfigDocument(decodeConfigDocument(document, file), { file, registry: periodicRegistry, secrets: contextSecrets(context, env[ConnectorEnv.SECRETS_SOURCE]) });
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
