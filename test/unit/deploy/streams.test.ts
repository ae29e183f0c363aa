import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { generateService } from '../../../lib/deploy/generate';
import { openTopicBackend } from '../../../lib/topics';
import { streamNameOf } from '../../../lib/topics/kinesis/stream-names';
import { idsOfType, inputOf, legacyYaml, optionsOf, periodicYaml, resourceOf, statementsOf, streamingYaml } from './support';

const GETATT_QUOTES = { 'Fn::GetAtt': ['TopicQuotesStream', 'Arn'] };

describe('Function: generateService (topics → Kinesis streams)', () => {
  it('should create one on-demand, encrypted, retained stream per topic even when several connectors share it', () => {
    // Prepare
    const inputs = [
      inputOf(periodicYaml('quotes-periodic', '2s', { topic: 'quotes' }), 'configs/quotes-periodic.yaml'),
      inputOf(streamingYaml('quotes-stream', { topic: 'quotes' }), 'configs/quotes-stream.yaml'),
      inputOf(periodicYaml('quotes-hourly', '1h', { topic: 'quotes' }), 'configs/quotes-hourly.yaml'),
    ];

    // Act
    const { resources } = generateService(inputs, optionsOf());

    // Assess
    expect(idsOfType(resources.Resources, 'AWS::Kinesis::Stream')).toEqual(['TopicQuotesStream']);
    expect(resourceOf(resources.Resources, 'TopicQuotesStream')).toEqual({
      Type: 'AWS::Kinesis::Stream',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Name: 'connectors-dev-quotes',
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        RetentionPeriodHours: 24,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
        Tags: [{ Key: 'topic', Value: 'quotes' }],
      },
    });
    expect(resources.Outputs.TopicQuotesStreamArn).toEqual({ Description: 'Kinesis stream of topic quotes', Value: GETATT_QUOTES });
    const kinesisResources = [statementsOf(resources.Resources, 'QuotesPeriodicFunctionRole')[1], statementsOf(resources.Resources, 'QuotesHourlyFunctionRole')[1], statementsOf(resources.Resources, 'QuotesStreamTaskRole')[0]].map((s) => s?.Resource);
    expect(kinesisResources).toEqual([[GETATT_QUOTES], [GETATT_QUOTES], [GETATT_QUOTES]]);
  });

  it('should create the stream of a topic when any one of its configs creates it, and let all of them use it', () => {
    // Prepare: legacy configs create their topic only with `create_topic: true`
    const inputs = [
      inputOf(legacyYaml('reader-a', '10', { topic: 'quotes', createTopic: false }), 'configs/a.yaml'),
      inputOf(legacyYaml('creator', '10', { topic: 'quotes', createTopic: true }), 'configs/b.yaml'),
    ];

    // Act
    const { resources } = generateService(inputs, optionsOf());

    // Assess
    expect(idsOfType(resources.Resources, 'AWS::Kinesis::Stream')).toEqual(['TopicQuotesStream']);
    expect(statementsOf(resources.Resources, 'ReaderAFunctionRole')[1]?.Resource).toEqual([GETATT_QUOTES]);
    expect(statementsOf(resources.Resources, 'CreatorFunctionRole')[1]?.Resource).toEqual([GETATT_QUOTES]);
  });

  it('should create no stream for a topic that no config creates (legacy without create_topic, 0.2.0 with create-topic: false)', () => {
    // Prepare
    const inputs = [
      inputOf(legacyYaml('legacy', '10', { topic: 'events', createTopic: false }), 'configs/a.yaml'),
      inputOf(periodicYaml('api', '10s', { topic: 'events', meta: '  create-topic: false\n' }), 'configs/b.yaml'),
    ];

    // Act
    const { resources } = generateService(inputs, optionsOf());

    // Assess
    expect(idsOfType(resources.Resources, 'AWS::Kinesis::Stream')).toEqual([]);
    expect(Object.keys(resources.Outputs).filter((id) => id.endsWith('StreamArn'))).toEqual([]);
    const arn = { 'Fn::Sub': 'arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/connectors-dev-events' };
    expect(statementsOf(resources.Resources, 'LegacyFunctionRole')[1]?.Resource).toEqual([arn]);
    expect(statementsOf(resources.Resources, 'ApiFunctionRole')[1]?.Resource).toEqual([arn]);
  });

  it('should name streams `<service>-<stage>-<topic>` by default', () => {
    // Act
    const fragments = generateService([inputOf(periodicYaml('p', '10s', { topic: 'quotes' }))], optionsOf({ service: 'billing', stage: 'prod' }));

    // Assess
    expect(resourceOf(fragments.resources.Resources, 'TopicQuotesStream').Properties.Name).toBe('billing-prod-quotes');
    expect(fragments.connectors[0]?.stream).toBe('billing-prod-quotes');
    expect(fragments.functions.p?.environment).toMatchObject({ CONNECTOR_STREAM_PREFIX: 'billing-prod-' });
  });

  it('should name streams like their topics with `streamPrefix: \'\'`', () => {
    // Prepare
    const inputs = [inputOf(periodicYaml('p', '10s', { topic: 'quotes' })), inputOf(streamingYaml('s', { topic: 'ticks' }), 'configs/s.yaml')];

    // Act
    const { resources, functions } = generateService(inputs, optionsOf({ streamPrefix: '' }));

    // Assess
    expect(['TopicQuotesStream', 'TopicTicksStream'].map((id) => resourceOf(resources.Resources, id).Properties.Name)).toEqual(['quotes', 'ticks']);
    expect(functions.p?.environment).toMatchObject({ CONNECTOR_STREAM_PREFIX: '' });
    const env = resourceOf(resources.Resources, 'STaskDefinition').Properties.ContainerDefinitions[0].Environment;
    expect(env).toContainEqual({ Name: 'CONNECTOR_STREAM_PREFIX', Value: '' });
  });

  it('should let CloudFormation delete created streams with `retainStreams: false`', () => {
    // Act
    const { resources } = generateService([inputOf(periodicYaml('p', '10s', { topic: 'quotes' }))], optionsOf({ retainStreams: false }));

    // Assess
    const stream = resourceOf(resources.Resources, 'TopicQuotesStream');
    expect(stream).not.toHaveProperty('DeletionPolicy');
    expect(stream).not.toHaveProperty('UpdateReplacePolicy');
    expect(stream.Properties.Name).toBe('connectors-dev-quotes');
  });

  it('should cut a stream name over 128 characters with a hash suffix, in the stream and in every reference', () => {
    // Prepare: a 100-character prefix + a 40-character topic = 140 characters
    const prefix = `${'p'.repeat(99)}-`;
    const topic = `t${'x'.repeat(39)}`;
    const inputs = [inputOf(periodicYaml('p', '10s', { topic })), inputOf(legacyYaml('other', '10', { topic: `${topic.slice(0, -1)}y`, createTopic: false }), 'configs/o.yaml')];

    // Act
    const { resources, connectors } = generateService(inputs, optionsOf({ streamPrefix: prefix }));

    // Assess
    const created = resourceOf(resources.Resources, `TopicT${'x'.repeat(39)}Stream`).Properties.Name as string;
    expect(created).toHaveLength(128);
    expect(created).toMatch(new RegExp(`^${prefix}${topic.slice(0, 119 - prefix.length)}-[0-9a-f]{8}$`));
    const other = connectors.find((plan) => plan.name === 'other')?.stream as string;
    expect(other).toHaveLength(128);
    expect(other).not.toBe(created);
    expect(JSON.stringify(statementsOf(resources.Resources, 'OtherFunctionRole')[1]?.Resource)).toContain(`:stream/${other}"`);
  });

  it('should create the stream the runtime writes to, also when a long prefix cuts the name', async () => {
    // Prepare: a 100-character prefix + a 40-character topic = 140 characters
    const prefix = `${'p'.repeat(99)}-`;
    const topic = `t${'x'.repeat(39)}`;
    const inputs = [inputOf(periodicYaml('p', '10s', { topic }))];
    const { resources } = generateService(inputs, optionsOf({ streamPrefix: prefix }));
    const created = resourceOf(resources.Resources, `TopicT${'x'.repeat(39)}Stream`).Properties.Name as string;
    const client = new KinesisClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const kinesis = mockClient(client);
    kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 0, Records: [{ SequenceNumber: '1', ShardId: 'shardId-0' }] });

    // Act: the runtime's backend, configured as the generated function's environment configures it
    const opened = await openTopicBackend('kinesis', { kinesis: { client, streamPrefix: prefix }, defaultPartitionKey: 'p' });
    await opened.topics.producer(topic).send([{ value: Buffer.from('x') }]);
    await opened.close();

    // Assess
    expect(kinesis.commandCalls(PutRecordsCommand)[0]?.args[0].input.StreamName).toBe(created);
    expect(streamNameOf(prefix, topic)).toBe(created);
  });
});
