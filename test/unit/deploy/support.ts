/**
 * Builders shared by the unit tests of the deployment generator (lib/deploy): inline YAML configs,
 * parsed as serverless.yml parses them (`deferSecrets`), and accessors into the generated fragments.
 */
import { parseConnectorConfig, type SecretValues } from '../../../lib/config';
import { defaultRegistry } from '../../../lib/connectors';
import type { CfnResource, IamStatement } from '../../../lib/deploy/cfn';
import { type DeploymentOptions, type DeploymentOptionsInput, parseDeploymentOptions } from '../../../lib/deploy/options';
import type { ConnectorInput } from '../../../lib/deploy/plan';
import type { VariableResolver } from '../../../lib/deploy/serverless';

/** What `serverless package` passes: no secret values (they resolve at run time). */
export const NO_SECRET_VALUES: SecretValues = { lookup: () => undefined, describe: 'x' };

/** Parses `text` as the config `file` of a deployment (secret values deferred). */
export function inputOf(text: string, file = 'configs/c.yaml', secrets: SecretValues = NO_SECRET_VALUES): ConnectorInput {
  return { spec: parseConnectorConfig(text, { file, registry: defaultRegistry, secrets, deferSecrets: true }), text, file };
}

/** An apiVersion 0.2.0 http-source config; `meta` and `http` add indented lines to those sections. */
export function periodicYaml(name: string, interval: string, more: { topic?: string; meta?: string; http?: string; tail?: string } = {}): string {
  return `apiVersion: 0.2.0
meta:
  version: 0.3.3
  name: ${name}
  type: http-source
  topic: ${more.topic ?? `${name}-topic`}
${more.meta ?? ''}http:
  endpoint: https://example.com/${name}
  interval: ${interval}
${more.http ?? ''}${more.tail ?? ''}`;
}

/** An apiVersion 0.2.0 streaming http-source config (`stream: true`). */
export function streamingYaml(name: string, more: { topic?: string; meta?: string; endpoint?: string } = {}): string {
  return `apiVersion: 0.2.0
meta:
  version: 0.3.3
  name: ${name}
  type: http-source
  topic: ${more.topic ?? `${name}-topic`}
${more.meta ?? ''}http:
  endpoint: "${more.endpoint ?? `https://example.com/${name}`}"
  stream: true
  delimiter: "\\n"
`;
}

/** An apiVersion 0.2.0 http-sink config; `meta` adds indented lines to its section. */
export function sinkYaml(name: string, more: { topic?: string; meta?: string; http?: string } = {}): string {
  return `apiVersion: 0.2.0
meta:
  version: 0.3.0
  name: ${name}
  type: http-sink
  topic: ${more.topic ?? `${name}-topic`}
${more.meta ?? ''}http:
  endpoint: https://example.com/${name}
${more.http ?? ''}`;
}

/** A legacy config (`version/name/type/topic/create_topic/direction/parameters`) of type `http`. */
export function legacyYaml(name: string, interval: string, more: { topic?: string; createTopic?: boolean } = {}): string {
  return `version: v1
name: ${name}
type: http
topic: ${more.topic ?? name}
create_topic: ${more.createTopic ?? true}
direction: source
parameters:
  endpoint: https://example.com/${name}
  interval: ${interval}
`;
}

/** Periodic configs named `<prefix>0`, `<prefix>1`, … each with its own topic, as deploy inputs. */
export function manyPeriodic(count: number, prefix = 'c', from = 0): ConnectorInput[] {
  return Array.from({ length: count }, (_, i) => inputOf(periodicYaml(`${prefix}${from + i}`, '1m'), `configs/${prefix}${from + i}.yaml`));
}

/** Deployment options for service `connectors`, stage `dev`, region `us-east-1`, plus `extra`. */
export function optionsOf(extra: Partial<DeploymentOptionsInput> = {}): DeploymentOptions {
  return parseDeploymentOptions({ service: 'connectors', stage: 'dev', region: 'us-east-1', ...extra });
}

/** The error `act` throws (fails the test when it does not throw). */
export function thrown(act: () => unknown): Error & { code?: string } {
  try {
    act();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

/** The resource `id` of `resources` (fails with the IDs present when absent). */
export function resourceOf(resources: Record<string, CfnResource>, id: string): CfnResource & { Properties: Record<string, any> } {
  const resource = resources[id];
  if (!resource) throw new Error(`no resource ${id}; have ${Object.keys(resources).join(', ')}`);
  return resource as CfnResource & { Properties: Record<string, any> };
}

/** Statements of the (single) inline policy of an IAM role resource. */
export function statementsOf(resources: Record<string, CfnResource>, roleId: string): IamStatement[] {
  return resourceOf(resources, roleId).Properties.Policies[0].PolicyDocument.Statement;
}

/** Logical IDs of `resources` of CloudFormation `type`, sorted. */
export function idsOfType(resources: Record<string, CfnResource>, type: string): string[] {
  return Object.keys(resources).filter((id) => resources[id]!.Type === type).sort();
}

/** `Fn::Sub` ARN as the generator writes it. */
export const subArn = (service: string, resource: string): unknown => ({ 'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}` });

/**
 * What osls passes to `${file(serverless/connectors.js):…}` for a service `connectors` (stage dev,
 * us-east-1) whose configs are in `configs/`, with these CLI options (e.g. `{ function: 'b' }`).
 */
export function serverlessResolver(options: Record<string, unknown> = {}): VariableResolver {
  return {
    options,
    resolveVariable: async (expression) => {
      throw new Error(`unexpected variable ${expression}`);
    },
    resolveConfigurationProperty: async (path) =>
      path.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], { service: 'connectors', provider: { stage: 'dev', region: 'us-east-1' }, custom: { connectors: { configs: 'configs' } } }),
  };
}
