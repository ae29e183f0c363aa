import { CloudWatchMetric, ConnectorEnv, type RuntimeEnvInput } from '../core';
import { type CfnResource, getAtt } from './cfn';
import { emptyFragment, type Fragment } from './fragment';
import { type ConnectorNames, RESOURCE_SUFFIXES as S } from './naming';
import type { DeploymentOptions } from './options';

/** Logical ID of the stack's alarm on its dead-letter queue. */
export const DEAD_LETTER_ALARM = 'ConnectorsDeadLetterAlarm';

/** CloudWatch's limit on alarm names, characters. */
const MAX_ALARM_NAME = 255;

/** The `service` dimension of a deployment's metrics: `<service>-<stage>`. */
export function metricsServiceOf(options: DeploymentOptions): string {
  return `${options.service}-${options.stage}`;
}

/**
 * The runtime environment that makes a function or task publish its metrics (`CONNECTOR_METRICS=emf`,
 * namespace, `service` dimension; the period for a connector that runs on, such as a task), or
 * nothing when `metrics.enabled` is false. Every placement adds it to its connectors' environment.
 * @param runs.continuously - true for a task (it publishes every `metrics.periodSeconds`); a function publishes once per window.
 */
export function metricsEnvironment(options: DeploymentOptions, runs: { continuously: boolean }): RuntimeEnvInput {
  if (!options.metrics.enabled) return {};
  return {
    [ConnectorEnv.METRICS]: 'emf',
    [ConnectorEnv.METRICS_NAMESPACE]: options.metrics.namespace,
    [ConnectorEnv.METRICS_SERVICE]: metricsServiceOf(options),
    ...(runs.continuously ? { [ConnectorEnv.METRICS_PERIOD_MS]: String(options.metrics.periodSeconds * 1000) } : {}),
  };
}

/** Alarms a stack of `connectors` connectors has: one per connector (when metrics are published) and one on the dead-letter queue. */
export function alarmCount(connectors: number, options: DeploymentOptions): number {
  if (!options.alarms.enabled) return 0;
  return (options.metrics.enabled ? connectors : 0) + 1;
}

/** `AlarmActions` and `OKActions`: the SNS topic of the options, if any. */
function notifications(options: DeploymentOptions): Record<string, unknown> {
  const topic = options.alarms.topicArn;
  return topic === undefined ? {} : { AlarmActions: [topic], OKActions: [topic] };
}

/** One metric of a connector, summed over the alarm's period, as a metric-math query. */
function connectorMetric(id: string, metric: string, connector: string, options: DeploymentOptions): Record<string, unknown> {
  return {
    Id: id,
    ReturnData: false,
    MetricStat: {
      Metric: {
        Namespace: options.metrics.namespace,
        MetricName: metric,
        Dimensions: [
          { Name: CloudWatchMetric.SERVICE, Value: metricsServiceOf(options) },
          { Name: CloudWatchMetric.CONNECTOR, Value: connector },
        ],
      },
      Period: options.alarms.periodMinutes * 60,
      Stat: 'Sum',
    },
  };
}

/**
 * The alarm of one connector: errors + dropped + undelivered records (its EMF metrics, see
 * `CloudWatchMetric`) in one period of `alarms.periodMinutes` reach `alarms.threshold`. A period
 * without metric lines counts as 0 (`FILL`, `notBreaching`): a connector that publishes nothing
 * does not alarm here (a failed function invocation shows in the dead-letter alarm).
 */
export function connectorAlarm(connector: string, file: string, names: ConnectorNames, options: DeploymentOptions): Record<string, CfnResource> {
  const { threshold, periodMinutes } = options.alarms;
  return {
    [names.base + S.ALARM]: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `${names.physical}-errors`.slice(0, MAX_ALARM_NAME),
        AlarmDescription: `Connector ${connector} (${file}): ${threshold} or more errors, dropped or undelivered records in ${periodMinutes} min`.slice(0, 1024),
        Metrics: [
          connectorMetric('errors', CloudWatchMetric.ERRORS, connector, options),
          connectorMetric('dropped', CloudWatchMetric.DROPPED, connector, options),
          connectorMetric('undelivered', CloudWatchMetric.UNDELIVERED, connector, options),
          { Id: 'problems', Label: 'errors + dropped + undelivered', Expression: 'FILL(errors, 0) + FILL(dropped, 0) + FILL(undelivered, 0)', ReturnData: true },
        ],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: threshold,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
        ...notifications(options),
      },
    },
  };
}

/**
 * The stack's alarm on its dead-letter queue (`deadLetterQueue`, a logical ID): at least one message
 * visible, i.e. a scheduled invocation failed or was dropped (SQS metrics, every 5 minutes).
 */
export function deadLetterAlarm(deadLetterQueue: string, stackName: string, options: DeploymentOptions): Record<string, CfnResource> {
  return {
    [DEAD_LETTER_ALARM]: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `${stackName}-dead-letters`.slice(0, MAX_ALARM_NAME),
        AlarmDescription: `Stack ${stackName}: failed or dropped scheduled invocations of connector functions wait in the dead-letter queue`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(deadLetterQueue, 'QueueName') }],
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        ...notifications(options),
      },
    },
  };
}

/** What the generator needs of a connector to alarm on it. */
export interface AlarmedConnector {
  name: string;
  file: string;
  names: ConnectorNames;
}

/**
 * The alarms step of the generator: one alarm per connector of the stack (when `metrics.enabled`)
 * and one on the stack's dead-letter queue; nothing when `alarms.enabled` is false. Counted by
 * {@link alarmCount} in the stack's resource budget.
 */
export function alarmResources(connectors: readonly AlarmedConnector[], deadLetterQueue: string, stackName: string, options: DeploymentOptions): Fragment {
  const fragment = emptyFragment();
  if (!options.alarms.enabled) return fragment;
  if (options.metrics.enabled) for (const { name, file, names } of connectors) Object.assign(fragment.resources, connectorAlarm(name, file, names, options));
  Object.assign(fragment.resources, deadLetterAlarm(deadLetterQueue, stackName, options));
  return fragment;
}
