import { ConnectorEnv, createMetrics, parseRuntimeEnv } from '../../../lib/core';
import { createEmfPublisher, type MetricValues, metricsPublisherOf, publishPeriodically } from '../../../lib/runtime/emf';
import { captureStdoutEmf, emfValues } from '../../support/emf';
import { CapturingLogger } from '../../support/source-context';
import { waitFor } from '../../support/wait-for';

describe('runtime/emf', () => {
  it('should print one Embedded Metric Format line with the namespace, the service and connector dimensions and each value with its unit', async () => {
    // Prepare
    const publisher = createEmfPublisher({ namespace: 'Connectors', service: 'connectors-dev', connector: 'quotes', log: new CapturingLogger() });

    // Act
    const { lines } = await captureStdoutEmf(async () => publisher.publish({ records: 3, bytes: 120, errors: 1, dropped: 2, polls: 4, skippedSlots: 1, windowLatenessMs: 7 }));

    // Assess
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'Connectors',
        Dimensions: [['service', 'connector']],
        Metrics: expect.arrayContaining([
          { Name: 'Records', Unit: 'Count' },
          { Name: 'Bytes', Unit: 'Bytes' },
          { Name: 'Errors', Unit: 'Count' },
          { Name: 'Dropped', Unit: 'Count' },
          { Name: 'Polls', Unit: 'Count' },
          { Name: 'SkippedSlots', Unit: 'Count' },
          { Name: 'WindowLateness', Unit: 'Milliseconds' },
        ]),
      },
    ]);
    expect(line).toMatchObject({ service: 'connectors-dev', connector: 'quotes' });
    expect(emfValues(line!)).toEqual({ Records: 3, Bytes: 120, Errors: 1, Dropped: 2, Polls: 4, SkippedSlots: 1, WindowLateness: 7 });
  });

  it('should leave out the values a line does not have', async () => {
    // Prepare
    const publisher = createEmfPublisher({ namespace: 'Connectors', service: 's', connector: 'c', log: new CapturingLogger() });

    // Act
    const { lines } = await captureStdoutEmf(async () => publisher.publish({ records: 0, bytes: 0, errors: 5, dropped: 0, undelivered: 2 }));

    // Assess
    expect(Object.keys(emfValues(lines[0]!)).sort()).toEqual(['Bytes', 'Dropped', 'Errors', 'Records', 'Undelivered']);
  });

  it('should publish only when the runtime environment asks for EMF', () => {
    // Prepare
    const log = new CapturingLogger();

    // Act
    const none = metricsPublisherOf(parseRuntimeEnv({}), 'c', log);
    const emf = metricsPublisherOf(parseRuntimeEnv({ [ConnectorEnv.METRICS]: 'emf' }), 'c', log);

    // Assess
    expect(none).toBeUndefined();
    expect(emf).toBeDefined();
    expect(() => parseRuntimeEnv({ [ConnectorEnv.METRICS]: 'prometheus' })).toThrow(ConnectorEnv.METRICS);
  });

  it('should publish what was counted in each period, and the rest once when stopped', async () => {
    // Prepare
    const metrics = createMetrics();
    const published: MetricValues[] = [];
    const periodic = publishPeriodically(metrics, { publish: async (values) => void published.push(values) }, 20);

    // Act
    metrics.records += 2;
    metrics.bytes += 10;
    await waitFor(() => published.length >= 1);
    metrics.records += 3;
    metrics.errors += 1;
    metrics.polls += 1;
    await periodic.stop();
    const afterStop = published.length;
    await periodic.stop();

    // Assess: the lines add up to the counters; a second stop publishes nothing
    const sum = (key: keyof MetricValues) => published.reduce((total, values) => total + (values[key] ?? 0), 0);
    expect([sum('records'), sum('bytes'), sum('errors'), sum('polls'), sum('dropped')]).toEqual([5, 10, 1, 1, 0]);
    expect(published.at(-1)).toMatchObject({ records: 3, errors: 1 });
    expect(published).toHaveLength(afterStop);
  });
});
