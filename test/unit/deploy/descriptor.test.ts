import { ErrorCode } from '../../../lib/core/errors';
import { ConnectorDescriptorSchema, DESCRIPTOR_VERSION, jsonWithIntrinsics, MAX_OUTPUTS_PER_STACK } from '../../../lib/deploy/descriptor';
import { checkOutputBudget, generateService, MAX_RESOURCES_PER_STACK, OSLS_OUTPUTS_PER_STACK } from '../../../lib/deploy/generate';
import { fakePhysicalValues, resolveIntrinsics } from '../../support/cfn-resolve';
import { inputOf, manyPeriodic, optionsOf, periodicYaml, streamingYaml, thrown } from './support';

/** The descriptor outputs of a generated stack, resolved as CloudFormation would and read back by the schema. */
function descriptorsOf(fragments: ReturnType<typeof generateService>) {
  const physical = fakePhysicalValues(fragments.stackName, fragments.resources.Resources);
  return Object.entries(fragments.resources.Outputs)
    .filter(([id]) => id.endsWith('Connector'))
    .map(([id, output]) => [id, ConnectorDescriptorSchema.parse(JSON.parse(resolveIntrinsics(output.Value, physical) as string))] as const);
}

describe('Function: generateService (connector descriptor outputs)', () => {
  it('should write one descriptor output per connector, naming its function, schedule, service and log group', () => {
    // Prepare
    const inputs = [inputOf(periodicYaml('quotes-periodic', '2s', { topic: 'quotes' }), 'configs/quotes-periodic.yaml'), inputOf(streamingYaml('quotes-stream', { topic: 'quotes' }), 'configs/quotes-stream.yaml')];

    // Act
    const fragments = generateService(inputs, optionsOf());

    // Assess
    expect(descriptorsOf(fragments)).toEqual([
      [
        'QuotesPeriodicConnector',
        {
          v: DESCRIPTOR_VERSION,
          kind: 'poller',
          name: 'quotes-periodic',
          type: 'http-source',
          config: 'configs/quotes-periodic.yaml',
          topic: 'quotes',
          stream: 'connectors-dev-quotes',
          logGroup: '/aws/lambda/connectors-dev-quotes-periodic',
          function: 'connectors-dev-quotes-periodic',
          schedule: 'connectors-dev-QuotesPeriodicSchedule-1A2B3C4D5E6F',
          scheduleGroup: 'default',
          every: '2s',
        },
      ],
      [
        'QuotesStreamConnector',
        {
          v: DESCRIPTOR_VERSION,
          kind: 'task',
          name: 'quotes-stream',
          type: 'http-source',
          config: 'configs/quotes-stream.yaml',
          topic: 'quotes',
          stream: 'connectors-dev-quotes',
          logGroup: '/ecs/connectors-dev-quotes-stream',
          cluster: 'connectors-dev-ConnectorsCluster-1A2B3C4D5E6F',
          service: 'connectors-dev-QuotesStreamService-1A2B3C4D5E6F',
          tasks: 1,
        },
      ],
    ]);
    // the log groups named in the descriptors are the ones the stack creates
    expect(fragments.resources.Resources.QuotesStreamLogGroup?.Properties?.LogGroupName).toBe('/ecs/connectors-dev-quotes-stream');
    expect(fragments.functions.quotesPeriodic?.name).toBe('connectors-dev-quotes-periodic');
  });

  it('should write the descriptor of a sink: kind sink, its function and its event source mapping', () => {
    // Prepare
    const sink = 'apiVersion: 0.2.0\nmeta:\n  version: 0.3.0\n  name: webhook\n  type: http-sink\n  topic: quotes\nhttp:\n  endpoint: https://example.com/hook\n';

    // Act
    const fragments = generateService([inputOf(sink, 'configs/webhook.yaml')], optionsOf());

    // Assess
    const [[id, descriptor]] = descriptorsOf(fragments) as unknown as [[string, Record<string, unknown>]];
    expect(id).toBe('WebhookConnector');
    expect(descriptor).toMatchObject({ kind: 'sink', name: 'webhook', type: 'http-sink', topic: 'quotes', function: 'connectors-dev-webhook', logGroup: '/aws/lambda/connectors-dev-webhook' });
    expect(JSON.stringify(fragments.resources.Outputs.WebhookConnector?.Value)).toContain('{"Ref":"WebhookEventSourceMapping"}');
  });

  it('should reference the schedule and the service through CloudFormation, whose generated names only it knows', () => {
    // Act
    const { resources } = generateService([inputOf(periodicYaml('p', '1m')), inputOf(streamingYaml('s'), 'configs/s.yaml')], optionsOf());

    // Assess
    expect(JSON.stringify(resources.Outputs.PConnector?.Value)).toContain('{"Ref":"PSchedule"}');
    expect(JSON.stringify(resources.Outputs.SConnector?.Value)).toContain('{"Fn::GetAtt":["SService","Name"]}');
    expect(JSON.stringify(resources.Outputs.SConnector?.Value)).toContain('{"Ref":"ConnectorsCluster"}');
  });
});

describe('Function: jsonWithIntrinsics', () => {
  it('should give plain JSON text when there is no intrinsic, escaped as JSON', () => {
    // Act
    const value = jsonWithIntrinsics({ config: 'configs/a "quoted" name.yaml', tasks: 1 });

    // Assess
    expect(value).toBe('{"config":"configs/a \\"quoted\\" name.yaml","tasks":1}');
    expect(JSON.parse(value as string)).toEqual({ config: 'configs/a "quoted" name.yaml', tasks: 1 });
  });

  it('should put each intrinsic inside its JSON string, between the literal pieces of an Fn::Join', () => {
    // Act
    const value = jsonWithIntrinsics({ a: { Ref: 'X' }, b: 'literal', c: { 'Fn::GetAtt': ['Y', 'Name'] } });

    // Assess
    expect(value).toEqual({ 'Fn::Join': ['', ['{"a":"', { Ref: 'X' }, '","b":"literal","c":"', { 'Fn::GetAtt': ['Y', 'Name'] }, '"}']] });
    expect(JSON.parse(resolveIntrinsics(value, { X: 'x-1', 'Y.Name': 'y-2' }) as string)).toEqual({ a: 'x-1', b: 'literal', c: 'y-2' });
  });
});

describe('Function: checkOutputBudget', () => {
  it('should keep a stack at the resource limit within CloudFormation\'s 200 outputs, so the resource budget always refuses first', () => {
    // Prepare: periodic sources with a created topic each and no alarms (6 resources and 2 outputs per connector,
    // the most outputs per resource)
    const fits = Math.floor((MAX_RESOURCES_PER_STACK - 4) / 6);
    const options = optionsOf({ alarms: { enabled: false } });

    // Act
    const fragments = generateService(manyPeriodic(fits), options);
    const over = thrown(() => generateService(manyPeriodic(fits + 1), options));

    // Assess
    expect(fragments.resourceCount).toBeLessThanOrEqual(MAX_RESOURCES_PER_STACK);
    expect(Object.keys(fragments.resources.Outputs).length + OSLS_OUTPUTS_PER_STACK).toBeLessThanOrEqual(MAX_OUTPUTS_PER_STACK);
    expect(over.code).toBe(ErrorCode.DEPLOY_STACK_TOO_LARGE);
    expect(over.message).toContain('CloudFormation resources');
  });

  it('should refuse a stack over 200 outputs with DEPLOY_STACK_TOO_LARGE', () => {
    // Prepare
    const outputs = Object.fromEntries(Array.from({ length: MAX_OUTPUTS_PER_STACK }, (_, i) => [`O${i}`, { Value: 'x' }]));

    // Act
    const error = thrown(() => checkOutputBudget(outputs));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_STACK_TOO_LARGE);
    expect(error.message).toContain(`${MAX_OUTPUTS_PER_STACK + OSLS_OUTPUTS_PER_STACK} CloudFormation outputs (limit ${MAX_OUTPUTS_PER_STACK})`);
    expect(() => checkOutputBudget(Object.fromEntries(Object.entries(outputs).slice(1)))).not.toThrow();
  });
});
