import { defaultRegistry } from '../connectors';
import { ConnectorError, ErrorCode } from '../core/errors';
import { ESBUILD_WORK_FOLDER, shareArtifacts } from './artifacts';
import { UNSET } from './container';
import { generateService, type ServiceFragments } from './generate';
import { deploymentWarnings, loadConnectorInputs } from './load';
import { type DeploymentOptions, parseDeploymentOptions } from './options';

/** What osls passes to a `${file(x.js):prop}` function. */
export interface VariableResolver {
  options: Record<string, unknown>;
  resolveVariable(expression: string): Promise<unknown>;
  resolveConfigurationProperty(path: string[]): Promise<unknown>;
}

/** `--param name=value` values (osls passes them as an array of `name=value`). */
export function cliParams(options: Record<string, unknown>): Record<string, string> {
  const raw = options.param;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const pairs = list.filter((item: unknown): item is string => typeof item === 'string' && item.includes('='));
  return Object.fromEntries(pairs.map((item) => [item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)]));
}

const split = (value: string): string[] => value.split(',').map((item) => item.trim()).filter((item) => item !== '');

/**
 * Deployment options from serverless.yml (`service`, `provider.stage/region`, `custom.connectors`)
 * and `--param` (`group`, `groups`, `image`, `subnets`, `securityGroups`: they win over the file).
 */
export async function deploymentOptionsOf(resolver: VariableResolver): Promise<DeploymentOptions> {
  const custom = ((await resolver.resolveConfigurationProperty(['custom', 'connectors'])) ?? {}) as Record<string, unknown>;
  const params = cliParams(resolver.options);
  const container = { ...((custom.container as Record<string, unknown> | undefined) ?? {}) };
  if (params.image) container.image = params.image;
  if (params.subnets) container.subnets = split(params.subnets);
  if (params.securityGroups) container.securityGroups = split(params.securityGroups);
  const service = await resolver.resolveConfigurationProperty(['service']);
  return parseDeploymentOptions({
    ...custom,
    ...(params.group !== undefined ? { group: params.group } : {}),
    ...(params.groups !== undefined ? { groups: params.groups } : {}),
    container,
    service: typeof service === 'object' && service !== null ? (service as { name: string }).name : service,
    stage: (resolver.options.stage as string | undefined) ?? (await resolver.resolveConfigurationProperty(['provider', 'stage'])) ?? 'dev',
    region: (resolver.options.region as string | undefined) ?? (await resolver.resolveConfigurationProperty(['provider', 'region'])) ?? 'us-east-1',
  });
}

/**
 * A deploy must not create tasks without an image or subnets (`serverless package` may: it only
 * writes the template).
 * @throws ConnectorError DEPLOY_OPTIONS_INVALID naming what is missing and how to pass it.
 */
export function assertDeployable(fragments: ServiceFragments): void {
  const ofType = (type: string) => Object.values(fragments.resources.Resources).filter((resource) => resource.Type === type).map((resource) => resource.Properties ?? {});
  const tasks = ofType('AWS::ECS::TaskDefinition') as Array<{ ContainerDefinitions?: Array<{ Image?: unknown }> }>;
  const services = ofType('AWS::ECS::Service') as Array<{ NetworkConfiguration?: { AwsvpcConfiguration?: { Subnets?: unknown[] } } }>;
  const missing: string[] = [];
  if (tasks.some((task) => task.ContainerDefinitions?.some((container) => container.Image === UNSET))) missing.push('the container image (--param image=<uri>, built from the Dockerfile: see README)');
  if (services.some((service) => service.NetworkConfiguration?.AwsvpcConfiguration?.Subnets?.includes(UNSET))) missing.push('subnets for the tasks (--param subnets=subnet-a,subnet-b or custom.connectors.container.subnets)');
  if (missing.length > 0) {
    const streaming = fragments.connectors.filter((plan) => plan.group === fragments.group && plan.placement.kind === 'task').map((plan) => plan.name);
    throw new ConnectorError(`streaming sources (${streaming.join(', ')}) run as Fargate tasks and need ${missing.join(' and ')}`, ErrorCode.DEPLOY_OPTIONS_INVALID);
  }
}

/**
 * The serverless.yml adapter: reads `custom.connectors.configs`, validates every config, prints
 * their located warnings (`configs/x.yaml:12:3: warning: … [CODE]`, the format of `connector
 * validate`), calls the pure generator, and lets functions of the same kind share one artifact
 * ({@link shareArtifacts}, serverless-esbuild's `outputWorkFolder` read from `custom.esbuild`; not for
 * `serverless deploy function -f X`, which packages X alone). Used by
 * `serverless/connectors.js`.
 * @param warn - where warnings go, one line each; default stderr.
 * @param load - reads and validates the configs ({@link loadConnectorInputs}, the default); `serverless/connectors.js`
 *   passes one that keeps them for the process, read once for every stack that `npm run sls:groups` packages.
 */
export async function generateFromServerless(
  resolver: VariableResolver,
  serviceDir: string,
  command: string | undefined,
  warn: (line: string) => void = (line) => void process.stderr.write(`${line}\n`),
  load: typeof loadConnectorInputs = loadConnectorInputs,
): Promise<ServiceFragments> {
  const options = await deploymentOptionsOf(resolver);
  const inputs = load(serviceDir, options.configs, defaultRegistry);
  for (const warning of deploymentWarnings(inputs)) warn(warning.message);
  const fragments = generateService(inputs, options);
  if (command === 'deploy') assertDeployable(fragments);
  const workFolder = await resolver.resolveConfigurationProperty(['custom', 'esbuild', 'outputWorkFolder']);
  // `serverless deploy function -f X` packages X alone: it cannot run another function's zip (only a package of
  // the whole stack builds that), so every function bundles its own here, as before shared artifacts.
  if (command === 'deploy' && typeof resolver.options.function === 'string') return fragments;
  return { ...fragments, functions: shareArtifacts(fragments.functions, typeof workFolder === 'string' && workFolder !== '' ? workFolder : ESBUILD_WORK_FOLDER) };
}

export { loadConnectorInputs };

/** Whether `error` is one of ours (its message is the whole story: no stack trace needed). */
export function isUserError(error: unknown): error is ConnectorError {
  return error instanceof ConnectorError && error.code !== ErrorCode.USAGE;
}
