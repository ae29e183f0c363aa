import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTemplate } from '../../support/cfn-spec';
import { requireBuild } from '../../support/cli';
import { artifactOf, packagedTemplate, runServerless, serviceDir, type ServiceDir, type Template } from '../../support/serverless';
import { compileWat, fixtureText } from '../../support/smartmodules';
import { zipEntries } from '../../support/zip';

jest.setTimeout(120_000);

const CONFIGS: Record<string, string> = {
  'shaped.yaml': `apiVersion: 0.2.0
meta:
  version: 0.3.3
  name: shaped
  type: http-source
  topic: quotes
http:
  endpoint: https://example.com/api/quote
  interval: 10s
transforms:
  - uses: infinyon/jolt@0.4.1
    with:
      spec:
        - operation: shift
          spec: {quote: text}
  - uses: ./shout.wasm
    on_error: dead-letter
`,
  'plain.yaml': `apiVersion: 0.2.0
meta:
  version: 0.3.3
  name: plain
  type: http-source
  topic: plain
http:
  endpoint: https://example.com/api/quote
  interval: 1m
`,
  'also-plain.yaml': `apiVersion: 0.2.0
meta:
  version: 0.3.3
  name: also-plain
  type: http-source
  topic: plain
http:
  endpoint: https://example.com/api/other
  interval: 2s
transforms:
  - uses: infinyon/regex-filter@0.1.0
    with:
      regex: quote
`,
  'hooked.yaml': `apiVersion: 0.2.0
meta:
  version: 0.3.0
  name: hooked
  type: http-sink
  topic: plain
http:
  endpoint: https://example.com/hook
transforms:
  - uses: ./shout.wasm
    on_error: dead-letter
`,
};

describe('serverless package (osls, offline) with transforms', () => {
  let service: ServiceDir;
  let template: Template;

  beforeAll(async () => {
    requireBuild();
    service = serviceDir({ configs: CONFIGS });
    writeFileSync(join(service.dir, 'configs', 'shout.wasm'), await compileWat(fixtureText('map'), 'map.wat'));
    const result = await runServerless(service.dir, ['package']);
    if (result.code !== 0) throw new Error(`serverless package failed (${result.code}):\n${result.stdout}${result.stderr}`);
    template = packagedTemplate(service.dir);
  });

  afterAll(() => service?.cleanup());

  it('should pass the CloudFormation resource specification check', async () => {
    expect(await checkTemplate(template)).toEqual([]);
  });

  it('should put the .wasm a config uses into that function\'s zip, at the path the config names it from, and not into the others', async () => {
    // Act
    const shapedZip = artifactOf(service.dir, 'shaped');
    const plainZip = artifactOf(service.dir, 'plain');
    const shaped = await zipEntries(shapedZip);
    const plain = await zipEntries(plainZip);

    // Assess
    expect([...shaped].sort()).toEqual(['configs/shout.wasm', 'functions/poller-full.js']);
    expect(plain).toEqual(['functions/poller.js']);
    expect(statSync(shapedZip).size).toBeGreaterThan(statSync(plainZip).size);
  });

  it('should give a poller with built-in transforms the full poller\'s zip, one without transforms the lean poller\'s, and the one with a .wasm its own', async () => {
    // Act
    const zips = { shaped: artifactOf(service.dir, 'shaped'), plain: artifactOf(service.dir, 'plain'), alsoPlain: artifactOf(service.dir, 'alsoPlain') };

    // Assess: two handlers (functions/README.md), so plain and alsoPlain are two kinds of function
    expect(zips).toEqual({ shaped: join(service.dir, '.serverless/shaped.zip'), plain: join(service.dir, '.serverless/plain.zip'), alsoPlain: join(service.dir, '.serverless/alsoPlain.zip') });
    expect([...(await zipEntries(zips.alsoPlain))]).toEqual(['functions/poller-full.js']);
    expect(readdirSync(join(service.dir, '.serverless')).filter((name) => name.endsWith('.zip')).sort()).toEqual(['alsoPlain.zip', 'hooked.zip', 'plain.zip', 'shaped.zip']);
  });

  it('should put the .wasm of a sink\'s transforms into the sink function\'s zip', async () => {
    // Act
    const entries = await zipEntries(artifactOf(service.dir, 'hooked'));

    // Assess
    expect([...entries].sort()).toEqual(['configs/shout.wasm', 'functions/sink.js']);
    expect(template.Resources.HookedLambdaFunction?.Properties?.Handler).toBe('functions/sink.handler');
  });

  it('should create the dead-letter stream of the config and let only its function put to it', () => {
    // Assess
    const streams = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Kinesis::Stream').map((resource) => resource.Properties?.Name);
    expect(streams.sort()).toEqual(['connectors-dev-plain', 'connectors-dev-plain-dlq', 'connectors-dev-quotes', 'connectors-dev-quotes-dlq']);
    const statements = (role: string): string => JSON.stringify(template.Resources[role]?.Properties?.Policies);
    expect(statements('ShapedFunctionRole')).toContain('TopicQuotesDlqStream');
    expect(statements('PlainFunctionRole')).not.toContain('Dlq');
    // The sink's dead letters go to the dead-letter stream of the topic it reads
    expect(statements('HookedFunctionRole')).toContain('TopicPlainDlqStream');
  });
});
