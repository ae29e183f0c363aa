import { parseRuntimeEnv } from '../../../lib/core/env';
import { ErrorCode } from '../../../lib/core/errors';
import { DEAD_LETTER_QUEUE } from '../../../lib/deploy/function';
import { generateService } from '../../../lib/deploy/generate';
import { DEAD_LETTER_ALARM } from '../../../lib/deploy/monitoring';
import { CapturingLogger } from '../../support/source-context';
import { metricsPublisherOf } from '../../../lib/runtime/emf';
import { captureStdoutEmf } from '../../support/emf';
import { idsOfType, inputOf, optionsOf, periodicYaml, resourceOf, streamingYaml, thrown } from './support';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:connector-alarms';
const inputs = () => [inputOf(periodicYaml('quotes-periodic', '2s'), 'configs/quotes-periodic.yaml'), inputOf(streamingYaml('quotes-stream'), 'configs/quotes-stream.yaml')];

describe('Function: generateService (alarms)', () => {
  it('should give every connector an alarm on its errors + dropped + undelivered records, and the stack one on its dead-letter queue', () => {
    // Act
    const { resources } = generateService(inputs(), optionsOf());

    // Assess
    expect(idsOfType(resources.Resources, 'AWS::CloudWatch::Alarm')).toEqual([DEAD_LETTER_ALARM, 'QuotesPeriodicErrorsAlarm', 'QuotesStreamErrorsAlarm']);
    const alarm = resourceOf(resources.Resources, 'QuotesPeriodicErrorsAlarm').Properties;
    expect(alarm).toMatchObject({ AlarmName: 'connectors-dev-quotes-periodic-errors', ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1, EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    expect(alarm.Metrics.map((query: { Id: string }) => query.Id)).toEqual(['errors', 'dropped', 'undelivered', 'problems']);
    expect(alarm.Metrics[0].MetricStat).toEqual({
      Metric: { Namespace: 'Connectors', MetricName: 'Errors', Dimensions: [{ Name: 'service', Value: 'connectors-dev' }, { Name: 'connector', Value: 'quotes-periodic' }] },
      Period: 300,
      Stat: 'Sum',
    });
    expect(alarm.Metrics[3]).toMatchObject({ Expression: 'FILL(errors, 0) + FILL(dropped, 0) + FILL(undelivered, 0)', ReturnData: true });
    expect(alarm).not.toHaveProperty('AlarmActions');
    expect(resourceOf(resources.Resources, DEAD_LETTER_ALARM).Properties).toMatchObject({
      AlarmName: 'connectors-dev-dead-letters',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [DEAD_LETTER_QUEUE, 'QueueName'] } }],
      Threshold: 1,
    });
  });

  it('should watch exactly the metrics and dimensions a deployed connector publishes (its EMF line)', async () => {
    // Prepare: the runtime environment the generator gives the function
    const options = optionsOf({ metrics: { namespace: 'Team/Connectors' } });
    const { functions, resources } = generateService(inputs(), options);
    const env = parseRuntimeEnv(functions.quotesPeriodic!.environment as NodeJS.ProcessEnv);
    const publisher = metricsPublisherOf(env, 'quotes-periodic', new CapturingLogger())!;

    // Act: a failed window's line (every value the alarm adds up)
    const { lines } = await captureStdoutEmf(async () => publisher.publish({ records: 0, bytes: 0, errors: 2, dropped: 1, undelivered: 4 }));

    // Assess
    const line = lines[0]!;
    const published = line._aws.CloudWatchMetrics[0]!;
    for (const query of resourceOf(resources.Resources, 'QuotesPeriodicErrorsAlarm').Properties.Metrics.filter((q: { MetricStat?: unknown }) => q.MetricStat)) {
      const { Namespace, MetricName, Dimensions } = query.MetricStat.Metric as { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: string }> };
      expect(Namespace).toBe(published.Namespace);
      expect(published.Metrics.map((metric) => metric.Name)).toContain(MetricName);
      expect(Dimensions.map((dimension) => dimension.Name)).toEqual(published.Dimensions[0]);
      expect(Object.fromEntries(Dimensions.map((dimension) => [dimension.Name, line[dimension.Name]]))).toEqual(Object.fromEntries(Dimensions.map((dimension) => [dimension.Name, dimension.Value])));
    }
  });

  it('should notify the SNS topic of the options when an alarm fires and when it recovers', () => {
    // Act
    const { resources } = generateService(inputs(), optionsOf({ alarms: { topicArn: TOPIC_ARN, threshold: 10, periodMinutes: 15 } }));

    // Assess
    for (const id of idsOfType(resources.Resources, 'AWS::CloudWatch::Alarm')) {
      expect(resourceOf(resources.Resources, id).Properties).toMatchObject({ AlarmActions: [TOPIC_ARN], OKActions: [TOPIC_ARN] });
    }
    const alarm = resourceOf(resources.Resources, 'QuotesStreamErrorsAlarm').Properties;
    expect([alarm.Threshold, alarm.Metrics[0].MetricStat.Period]).toEqual([10, 900]);
  });

  it('should count the alarms in the stack\'s resource budget, and leave them out when disabled', () => {
    // Act
    const on = generateService(inputs(), optionsOf());
    const off = generateService(inputs(), optionsOf({ alarms: { enabled: false } }));

    // Assess: one per connector and one for the stack
    expect(on.resourceCount - off.resourceCount).toBe(3);
    expect(idsOfType(off.resources.Resources, 'AWS::CloudWatch::Alarm')).toEqual([]);
  });

  it('should publish no metrics when disabled, and refuse alarms without metrics', () => {
    // Act
    const quiet = generateService(inputs(), optionsOf({ metrics: { enabled: false }, alarms: { enabled: false } }));
    const error = thrown(() => optionsOf({ metrics: { enabled: false } }));

    // Assess
    expect(quiet.functions.quotesPeriodic!.environment).not.toHaveProperty('CONNECTOR_METRICS');
    expect(error).toMatchObject({ code: ErrorCode.DEPLOY_OPTIONS_INVALID, message: expect.stringContaining('custom.connectors.alarms.enabled: expected false when metrics.enabled is false') });
  });

  it('should refuse a topic that is not an SNS topic ARN', () => {
    // Act
    const error = thrown(() => optionsOf({ alarms: { topicArn: 'connector-alarms' } }));

    // Assess
    expect(error).toMatchObject({ code: ErrorCode.DEPLOY_OPTIONS_INVALID, message: expect.stringContaining('custom.connectors.alarms.topicArn: expected an SNS topic ARN') });
  });
});
