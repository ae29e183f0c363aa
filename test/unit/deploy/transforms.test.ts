import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConnectorConfig } from '../../../lib/config';
import { defaultRegistry } from '../../../lib/connectors';
import { ErrorCode } from '../../../lib/core/errors';
import { generateService } from '../../../lib/deploy/generate';
import type { ConnectorInput } from '../../../lib/deploy/plan';
import { tempDir } from '../../support/cli';
import { compileWat } from '../../support/smartmodules';
import { NO_SECRET_VALUES, optionsOf, periodicYaml, resourceOf, statementsOf, streamingYaml, thrown } from './support';

describe('Function: generateService (transforms)', () => {
  let tmp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    tmp = tempDir('deploy-transforms-');
    mkdirSync(join(tmp.dir, 'configs'));
    const module = await compileWat('(module)');
    writeFileSync(join(tmp.dir, 'configs', 'shout.wasm'), module);
    writeFileSync(join(tmp.dir, 'outside.wasm'), module);
  });
  afterAll(() => tmp.cleanup());

  /** A config of the service's configs/ directory (the service is `tmp`), parsed as serverless.yml parses it. */
  const input = (text: string, file: string): ConnectorInput => ({
    spec: parseConnectorConfig(text, { file, baseDir: join(tmp.dir, 'configs'), registry: defaultRegistry, secrets: NO_SECRET_VALUES, deferSecrets: true }),
    text,
    file,
  });
  const steps = (...lines: string[]): { tail: string } => ({ tail: `transforms:\n${lines.join('')}` });

  it('should put the SmartModule files of a config into its function\'s package, and only those', () => {
    // Prepare
    const inputs = [
      input(periodicYaml('wasm', '10s', steps('  - uses: ./shout.wasm\n', '  - uses: acme/shout@0.1.0\n')), 'configs/wasm.yaml'),
      input(periodicYaml('native', '10s', steps('  - uses: infinyon/regex-filter@0.2.0\n    with: {regex: a}\n')), 'configs/native.yaml'),
    ];

    // Act
    const fragments = generateService(inputs, optionsOf());

    // Assess: `./shout.wasm` and `acme/shout@0.1.0` (shout.wasm next to the config) are one file
    expect(fragments.functions.wasm).toMatchObject({ package: { patterns: ['configs/shout.wasm'] } });
    expect(fragments.functions.native).not.toHaveProperty('package');
    expect(fragments.connectors.find((plan) => plan.name === 'wasm')?.smartModules).toEqual(['configs/shout.wasm']);
  });

  it('should put the SmartModule files of a sink\'s transforms into its function\'s package', () => {
    // Prepare
    const text = `apiVersion: 0.2.0\nmeta:\n  version: 0.3.0\n  name: hook\n  type: http-sink\n  topic: events\nhttp:\n  endpoint: https://example.com/hook\n${steps('  - uses: ./shout.wasm\n').tail}`;

    // Act
    const fragments = generateService([input(text, 'configs/hook.yaml')], optionsOf());

    // Assess
    expect(fragments.functions.hook).toMatchObject({ handler: 'functions/sink.handler', package: { patterns: ['configs/shout.wasm'] } });
  });

  it('should create the <topic>-dlq stream of a dead-letter config in its topic\'s stack and let the function put to it', () => {
    // Prepare
    const inputs = [input(periodicYaml('d', '10s', steps('  - uses: infinyon/regex-filter@0.2.0\n    with: {regex: a}\n    on_error: dead-letter\n')), 'configs/d.yaml')];

    // Act
    const fragments = generateService(inputs, optionsOf());

    // Assess
    const stream = resourceOf(fragments.resources.Resources, 'TopicDTopicDlqStream');
    expect(stream).toMatchObject({ Type: 'AWS::Kinesis::Stream', Properties: { Name: 'connectors-dev-d-topic-dlq', StreamModeDetails: { StreamMode: 'ON_DEMAND' } } });
    const puts = statementsOf(fragments.resources.Resources, 'DFunctionRole').filter((statement) => statement.Action.includes('kinesis:PutRecords'));
    expect(puts.map((statement) => statement.Resource)).toEqual([[{ 'Fn::GetAtt': ['TopicDTopicStream', 'Arn'] }], [{ 'Fn::GetAtt': ['TopicDTopicDlqStream', 'Arn'] }]]);
    expect(fragments.resourceCount).toBe(generateService([input(periodicYaml('d', '10s'), 'configs/d.yaml')], optionsOf()).resourceCount + 1);
  });

  it('should let a streaming task put to its dead-letter stream', () => {
    // Prepare
    const text = streamingYaml('s') + 'transforms:\n  - uses: infinyon/jolt@0.4.1\n    with: {spec: "[]"}\n    on_error: dead-letter\n';

    // Act
    const fragments = generateService([input(text, 'configs/s.yaml')], optionsOf());

    // Assess
    const puts = statementsOf(fragments.resources.Resources, 'STaskRole').map((statement) => statement.Resource);
    expect(puts).toEqual([[{ 'Fn::GetAtt': ['TopicSTopicStream', 'Arn'] }], [{ 'Fn::GetAtt': ['TopicSTopicDlqStream', 'Arn'] }]]);
  });

  it('should refuse a SmartModule file outside the configs directory with DEPLOY_SMARTMODULE_PATH', () => {
    // Prepare: the file exists (the config is valid) but lies outside configs/
    const inputs = [input(periodicYaml('out', '10s', steps('  - uses: ../outside.wasm\n')), 'configs/out.yaml')];

    // Act
    const error = thrown(() => generateService(inputs, optionsOf()));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_SMARTMODULE_PATH);
    expect(error.message).toBe('configs/out.yaml: transforms[0].uses "../outside.wasm" is outside configs/; put SmartModule files in configs/ (the function package and the container image carry that directory) and name them relative to the config');
  });

  it('should refuse a dead-letter topic that is another config\'s topic with DEPLOY_DEAD_LETTER_CONFLICT', () => {
    // Prepare
    const inputs = [
      input(periodicYaml('a', '10s', { topic: 'events', ...steps('  - uses: infinyon/regex-filter@0.2.0\n    with: {regex: a}\n    on_error: dead-letter\n') }), 'configs/a.yaml'),
      input(periodicYaml('b', '10s', { topic: 'events-dlq' }), 'configs/b.yaml'),
    ];

    // Act
    const error = thrown(() => generateService(inputs, optionsOf()));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_DEAD_LETTER_CONFLICT);
    expect(error.message).toBe('configs/a.yaml: its dead-letter topic "events-dlq" is the topic of configs/b.yaml; rename one of the topics');
  });
});
