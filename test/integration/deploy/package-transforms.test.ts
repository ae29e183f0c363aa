import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTemplate } from '../../support/cfn-spec';
import { requireBuild } from '../../support/cli';
import { packagedTemplate, runServerless, serviceDir, type ServiceDir, type Template } from '../../support/serverless';
import { compileWat, fixtureText } from '../../support/smartmodules';

jest.setTimeout(120_000);

type ZipFile = { on(event: 'entry', listener: (entry: { fileName: string }) => void): void; on(event: 'end' | 'error', listener: (arg?: unknown) => void): void; readEntry(): void };
const yauzl = require('yauzl') as { open(path: string, options: { lazyEntries: boolean }, callback: (err: Error | null, zip: ZipFile) => void): void };

/** The file names inside a zip. */
function zipEntries(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('entry', (entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

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
    const shaped = await zipEntries(join(service.dir, '.serverless/shaped.zip'));
    const plain = await zipEntries(join(service.dir, '.serverless/plain.zip'));

    // Assess
    expect(shaped).toEqual(expect.arrayContaining(['functions/poller.js', 'configs/shout.wasm']));
    expect(plain).not.toContain('configs/shout.wasm');
    expect(statSync(join(service.dir, '.serverless/shaped.zip')).size).toBeGreaterThan(statSync(join(service.dir, '.serverless/plain.zip')).size);
  });

  it('should create the dead-letter stream of the config and let only its function put to it', () => {
    // Assess
    const streams = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Kinesis::Stream').map((resource) => resource.Properties?.Name);
    expect(streams.sort()).toEqual(['connectors-dev-plain', 'connectors-dev-quotes', 'connectors-dev-quotes-dlq']);
    const statements = (role: string): string => JSON.stringify(template.Resources[role]?.Properties?.Policies);
    expect(statements('ShapedFunctionRole')).toContain('TopicQuotesDlqStream');
    expect(statements('PlainFunctionRole')).not.toContain('Dlq');
  });
});
