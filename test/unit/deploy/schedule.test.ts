import { generateService } from '../../../lib/deploy/generate';
import { placementOf } from '../../../lib/deploy/plan';
import { ErrorCode } from '../../../lib/core/errors';
import { inputOf, legacyYaml, optionsOf, periodicYaml, streamingYaml, thrown } from './support';

const TEST_CONNECTOR = `version: latest
name: my-test-connector
type: test-connector
topic: my-test-connector
create_topic: true
direction: source
parameters:
  topic: my-test-connector
`;

describe('Function: placementOf (the scheduling rule)', () => {
  it.each(['2s', '10s', '15s', '45s', '90s'])('should poll %s per slot inside a one-minute schedule (window 60000 ms, anchor epoch)', (interval) => {
    // Prepare
    const { spec } = inputOf(periodicYaml('p', interval));

    // Act
    const placement = placementOf(spec);

    // Assess
    expect(placement).toEqual({
      kind: 'function',
      intervalMs: { '2s': 2_000, '10s': 10_000, '15s': 15_000, '45s': 45_000, '90s': 90_000 }[interval],
      schedule: { expression: 'rate(1 minute)', windowMs: 60_000, anchor: 'epoch' },
    });
  });

  it.each(['60s', '1m'])('should schedule %s natively every minute with one poll per event (anchor event)', (interval) => {
    // Prepare
    const { spec } = inputOf(periodicYaml('p', interval));

    // Act
    const placement = placementOf(spec);

    // Assess
    expect(placement).toEqual({ kind: 'function', intervalMs: 60_000, schedule: { expression: 'rate(1 minute)', windowMs: 60_000, anchor: 'event' } });
  });

  it('should schedule 5m natively as rate(5 minutes) with a 300000 ms window', () => {
    // Prepare
    const { spec } = inputOf(periodicYaml('p', '5m'));

    // Act
    const placement = placementOf(spec);

    // Assess
    expect(placement).toEqual({ kind: 'function', intervalMs: 300_000, schedule: { expression: 'rate(5 minutes)', windowMs: 300_000, anchor: 'event' } });
  });

  it('should schedule 1h natively as rate(60 minutes)', () => {
    // Prepare
    const { spec } = inputOf(periodicYaml('p', '1h'));

    // Act
    const placement = placementOf(spec);

    // Assess
    expect(placement).toEqual({ kind: 'function', intervalMs: 3_600_000, schedule: { expression: 'rate(60 minutes)', windowMs: 3_600_000, anchor: 'event' } });
  });

  it('should read a legacy `interval: 10` as 10 seconds, polled per slot every minute', () => {
    // Prepare
    const { spec } = inputOf(legacyYaml('cat-facts', '10'));

    // Act
    const placement = placementOf(spec);

    // Assess
    expect(placement).toEqual({ kind: 'function', intervalMs: 10_000, schedule: { expression: 'rate(1 minute)', windowMs: 60_000, anchor: 'epoch' } });
  });

  it('should read a legacy `interval: 120` as 2 minutes, scheduled natively', () => {
    // Prepare
    const { spec } = inputOf(legacyYaml('cat-facts', '120'));

    // Act
    const placement = placementOf(spec);

    // Assess
    expect(placement).toEqual({ kind: 'function', intervalMs: 120_000, schedule: { expression: 'rate(2 minutes)', windowMs: 120_000, anchor: 'event' } });
  });

  it('should run a streaming http-source (`stream: true`) as a task', () => {
    // Prepare
    const { spec } = inputOf(streamingYaml('s'));

    // Act
    const placement = placementOf(spec);

    // Assess
    expect(placement).toEqual({ kind: 'task' });
  });

  it('should run a test-connector as a task', () => {
    // Prepare
    const { spec } = inputOf(TEST_CONNECTOR);

    // Act
    const placement = placementOf(spec);

    // Assess
    expect(placement).toEqual({ kind: 'task' });
  });

  it('should place a config with transforms like any other: the function or the task runs them', () => {
    // Prepare
    const text = periodicYaml('t', '10s', { tail: 'transforms:\n  - uses: infinyon/jolt@0.4.1\n    with:\n      spec: "[]"\n' });
    const { spec } = inputOf(text, 'configs/t.yaml');

    // Act
    const placement = placementOf(spec);

    // Assess
    expect(placement).toMatchObject({ kind: 'function', intervalMs: 10_000 });
  });
});

describe('Function: generateService (schedules and timeouts)', () => {
  it.each([
    // timeout: the window + 10 s to finish writing, at most 900 s
    ['2s', 'rate(1 minute)', 70, '60000', 'epoch'],
    ['90s', 'rate(1 minute)', 70, '60000', 'epoch'],
    ['1m', 'rate(1 minute)', 70, '60000', 'event'],
    ['5m', 'rate(5 minutes)', 310, '300000', 'event'],
    ['1h', 'rate(60 minutes)', 900, '3600000', 'event'],
  ])('should give an interval of %s the schedule %s, a timeout of %i s and a %s ms window', (interval, expression, timeout, windowMs, anchor) => {
    // Prepare
    const inputs = [inputOf(periodicYaml('p', interval), 'configs/p.yaml')];

    // Act
    const fragments = generateService(inputs, optionsOf());

    // Assess
    expect(fragments.resources.Resources.PSchedule?.Properties?.ScheduleExpression).toBe(expression);
    expect(fragments.functions.p).toMatchObject({ timeout: timeout, environment: { CONNECTOR_WINDOW_MS: windowMs, CONNECTOR_WINDOW_ANCHOR: anchor } });
  });

  it('should make no function for streaming sources and test-connectors', () => {
    // Prepare
    const inputs = [inputOf(streamingYaml('s'), 'configs/s.yaml'), inputOf(TEST_CONNECTOR, 'configs/t.yaml')];

    // Act
    const fragments = generateService(inputs, optionsOf());

    // Assess
    expect(fragments.functions).toEqual({});
    expect(fragments.connectors.map((plan) => [plan.name, plan.placement])).toEqual([
      ['s', { kind: 'task' }],
      ['my-test-connector', { kind: 'task' }],
    ]);
    expect(Object.keys(fragments.resources.Resources)).toEqual(expect.arrayContaining(['STaskDefinition', 'MyTestConnectorTaskDefinition']));
  });

  it('should refuse two configs with the same connector name with DEPLOY_DUPLICATE_NAME naming both files', () => {
    // Prepare
    const inputs = [inputOf(periodicYaml('same', '10s'), 'configs/a.yaml'), inputOf(periodicYaml('same', '1m', { topic: 'other' }), 'configs/b.yaml')];

    // Act
    const error = thrown(() => generateService(inputs, optionsOf()));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_DUPLICATE_NAME);
    expect(error.message).toBe('configs/b.yaml: connector name "same" is also used by configs/a.yaml; connector names must be unique in a deployment');
  });
});
