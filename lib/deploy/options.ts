import { z } from 'zod';
import { ConnectorError, ErrorCode, RuntimeDefaults } from '../core';
import { blockMarkers, optionsTable } from '../schema/docs';

/** Lambda runtimes the generated functions may use (the bundle targets Node 20 syntax). */
export const LAMBDA_RUNTIMES = ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'] as const;

/** Longest `<service>-<stage>-`: a cut function name (`fitName`, 64 characters) keeps it whole. */
const MAX_NAME_PREFIX = 55;

/**
 * Deployment options: `custom.connectors` in serverless.yml, plus the service, stage and region
 * the Serverless Framework resolved, plus `--param` values (`group`, `image`, `subnets`,
 * `securityGroups`). The single source of truth for their types, defaults and docs.
 *
 * @example
 * ```yaml
 * custom:
 *   connectors:
 *     configs: configs
 *     groups: 1
 *     secrets: { source: ssm }
 *     container:
 *       image: ${param:image, ''}
 *       subnets: [subnet-0abc, subnet-0def]
 *       securityGroups: [sg-0123]
 * ```
 */
export const DeploymentOptionsSchema = z.strictObject({
  service: z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]*$/, 'expected a Serverless service name (letters, digits, -)').describe('Serverless service name (`service:`).'),
  stage: z.string().regex(/^[a-zA-Z0-9-]+$/, 'expected a stage name (letters, digits, -)').describe('Stage (`--stage`, default dev).'),
  region: z.string().min(1).describe('AWS region (`--region`).'),
  configs: z.string().prefault('configs').describe('Directory of connector configs (*.yaml, *.yml), relative to serverless.yml.'),
  groups: z.coerce.number().int().min(1).max(200).prefault(1).describe(
    'Number of CloudFormation stacks the connectors are spread over (CloudFormation allows 500 resources per stack; a connector takes 6 or 7 with its alarm, so at most about 70 fit in one, fewer in practice as topics hash unevenly: 1,000 configs took 17 stacks in the benchmark). A connector goes to the stack of its topic (hash of the topic name), so adding configs never moves existing ones while `groups` is unchanged.',
  ),
  group: z.coerce.number().int().min(0).optional().describe('Which stack to generate (`--param group=N`, 0-based). Required when `groups` > 1.'),
  streamPrefix: z.string().regex(/^[a-zA-Z0-9_.-]*$/, 'expected Kinesis stream name characters (a-z, A-Z, 0-9, _ . -)').optional().describe('Kinesis stream name = streamPrefix + topic (cut to 128 characters with a hash suffix). Default `<service>-<stage>-`; set `\'\'` to use existing streams named like the topics.'),
  retainStreams: z.boolean().prefault(true).describe('Keep created streams (and their records) when a config or the stack is removed, as Fluvio keeps topics when a connector is deleted.'),
  lambda: z
    .strictObject({
      runtime: z.enum(LAMBDA_RUNTIMES).optional().describe('Lambda runtime of the functions; default `provider.runtime` of serverless.yml (nodejs22.x).'),
      architecture: z.enum(['arm64', 'x86_64']).prefault('arm64').describe('CPU architecture of the functions (pollers and sinks).'),
      memorySize: z.coerce.number().int().min(128).max(10240).prefault(256).describe('Memory of the functions (pollers and sinks), MB (CPU grows with it).'),
      logRetentionInDays: z.coerce.number().int().positive().prefault(14).describe('Days the functions\' logs are kept (pollers and sinks).'),
      marginMs: z.coerce
        .number()
        .int()
        .min(0)
        .max(30_000)
        .prefault(RuntimeDefaults.marginMs)
        .describe('A window stops starting polls (and aborts a running one) this long before it ends, ms, so invocations never overlap.'),
    })
    .prefault({}),
  sink: z
    .strictObject({
      batchSize: z.coerce.number().int().min(1).max(10_000).prefault(100).describe('Sinks: records per invocation (event source mapping `BatchSize`; Kinesis allows 1 to 10,000).'),
      batchWindowSeconds: z.coerce.number().int().min(0).max(300).prefault(1).describe('Sinks: how long the mapping gathers records before invoking, s (`MaximumBatchingWindowInSeconds`, 0 to 300).'),
      maximumRetryAttempts: z.coerce.number().int().min(0).max(10_000).prefault(3).describe('Sinks: retries of a failed batch (from its first failed record, bisected) before it goes to the sink failure queue (`MaximumRetryAttempts`; bounded: -1, forever, is not offered).'),
      timeout: z.coerce.number().int().min(10).max(900).prefault(60).describe('Sinks: function timeout, s; delivery and its retries stop `lambda.marginMs` before it.'),
    })
    .prefault({}),
  secrets: z
    .strictObject({
      source: z.enum(['ssm', 'secrets-manager']).prefault('ssm').describe('Where `${{ secrets.NAME }}` values live at run time.'),
      prefix: z.string().optional().describe('Name prefix: parameter `<prefix>NAME` (SSM, default `/<service>/<stage>/`) or secret `<prefix>NAME` (Secrets Manager, default `<service>/<stage>/`).'),
    })
    .prefault({}),
  container: z
    .strictObject({
      image: z.string().optional().describe('Container image URI for streaming sources (`--param image=…`), built from the top-level Dockerfile. Required to deploy streaming sources.'),
      cpu: z.enum(['256', '512', '1024', '2048', '4096']).prefault('256').describe('Fargate task CPU units.'),
      memory: z.coerce.number().int().min(512).prefault(512).describe('Fargate task memory, MiB.'),
      architecture: z.enum(['X86_64', 'ARM64']).prefault('X86_64').describe('CPU architecture the image was built for.'),
      subnets: z.array(z.string()).prefault([]).describe('Subnets of the tasks (awsvpc networking). Required to deploy streaming sources.'),
      securityGroups: z.array(z.string()).prefault([]).describe('Security groups of the tasks (egress to the endpoints and to Kinesis).'),
      assignPublicIp: z.boolean().prefault(true).describe('Give tasks a public IP (needed in public subnets without a NAT gateway).'),
      logRetentionInDays: z.coerce.number().int().positive().prefault(14).describe('Days the tasks\' logs are kept.'),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      enabled: z.boolean().prefault(true).describe('Functions and tasks publish each connector\'s metrics (records, bytes, errors, dropped, undelivered, polls, skipped slots, window lateness) as CloudWatch Embedded Metric Format log lines: no API call, no extra permission. Dimensions `service` (`<service>-<stage>`) and `connector`.'),
      namespace: z.string().regex(/^[^:]{1,255}$/, 'expected a CloudWatch namespace (1-255 characters, no ":")').prefault(RuntimeDefaults.metricsNamespace).describe('CloudWatch namespace of the metrics.'),
      periodSeconds: z.coerce.number().int().min(1).max(3600).prefault(RuntimeDefaults.metricsPeriodMs / 1000).describe('A task publishes its metrics this often, seconds (a function: once per window).'),
    })
    .prefault({}),
  alarms: z
    .strictObject({
      enabled: z.boolean().prefault(true).describe('Per connector a CloudWatch alarm on its errors + dropped + undelivered records (needs `metrics.enabled`), and per stack one on the dead-letter queue (a message in it: a failed or dropped scheduled invocation).'),
      topicArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, 'expected an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)')
        .optional()
        .describe('SNS topic notified when an alarm fires and when it recovers. None: the alarms show in CloudWatch only.'),
      threshold: z.coerce.number().int().min(1).prefault(1).describe('Errors + dropped + undelivered records of a connector in one period that fire its alarm.'),
      periodMinutes: z.coerce.number().int().min(1).max(1440).prefault(5).describe('Period of the connector alarms, minutes.'),
    })
    .prefault({}),
})
  .refine((options) => `${options.service}-${options.stage}-`.length <= MAX_NAME_PREFIX, {
    path: ['stage'],
    message: `expected \`<service>-<stage>-\` of at most ${MAX_NAME_PREFIX} characters: function names start with it (Lambda allows 64), and the Scheduler may invoke only names with that prefix`,
  })
  .refine((options) => !options.alarms.enabled || options.metrics.enabled, {
    path: ['alarms', 'enabled'],
    message: 'expected false when metrics.enabled is false: the connector alarms watch those metrics',
  });

/** Options the framework resolves (service, stage, region) or the command line gives (`group`): not `custom.connectors` keys. */
const RESOLVED = ['service', 'stage', 'region', 'group'] as const;

/** Markers of the generated `custom.connectors` table in the top-level README. */
export const DEPLOYMENT_OPTIONS_MARKERS = blockMarkers('deploy-options', 'lib/deploy/options.ts');

/** The `custom.connectors` options table (Markdown), generated from {@link DeploymentOptionsSchema}. */
export function deploymentOptionsTable(): string {
  return optionsTable(DeploymentOptionsSchema, { omit: RESOLVED });
}

/** Deployment options as written (defaults not applied). */
export type DeploymentOptionsInput = z.input<typeof DeploymentOptionsSchema>;
/** Deployment options with defaults applied. */
export type DeploymentOptions = z.output<typeof DeploymentOptionsSchema>;

/**
 * Validates deployment options and applies defaults.
 * @throws ConnectorError DEPLOY_OPTIONS_INVALID naming each bad option (`custom.connectors.<path>`) and what was expected.
 */
export function parseDeploymentOptions(input: unknown): DeploymentOptions {
  const result = DeploymentOptionsSchema.safeParse(input);
  if (result.success) return result.data;
  const where = (path: PropertyKey[]): string => {
    const [head] = path;
    if (head === 'service') return 'service';
    if (head === 'stage' || head === 'region') return `--${String(head)} (provider.${String(head)})`;
    return ['custom.connectors', ...path.map(String)].join('.');
  };
  const lines = result.error.issues.map((issue) => `  ${where(issue.path)}: ${issue.message}`);
  throw new ConnectorError(`invalid deployment options:\n${lines.join('\n')}`, ErrorCode.DEPLOY_OPTIONS_INVALID);
}

/** Kinesis stream name prefix of these options (default `<service>-<stage>-`). */
export function streamPrefixOf(options: DeploymentOptions): string {
  return options.streamPrefix ?? `${options.service}-${options.stage}-`;
}

/** Secret name prefix of these options; see {@link DeploymentOptionsSchema} `secrets.prefix`. */
export function secretPrefixOf(options: DeploymentOptions): string {
  if (options.secrets.prefix !== undefined) return options.secrets.prefix;
  return options.secrets.source === 'ssm' ? `/${options.service}/${options.stage}/` : `${options.service}/${options.stage}/`;
}
