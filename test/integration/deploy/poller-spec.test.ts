import type { Context } from 'aws-lambda';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPollHandler, deployedSpec } from '../../../functions/poller';
import { createPollHandler as createFullPollHandler } from '../../../functions/poller-full';
import { ConfigError, type ConnectorSpec, parseConnectorConfig } from '../../../lib/config';
import { configJsonSchema } from '../../../lib/config/json-schema';
import { decodeDeployedSpec, DEPLOYED_SPEC_TAG, encodeDeployedSpec } from '../../../lib/config/deployed';
import { defaultRegistry } from '../../../lib/connectors';
import { periodicRegistry } from '../../../lib/connectors/periodic';
import { periodicRuntimes } from '../../../lib/connectors/periodic-runtime';
import { ConnectorEnv, ErrorCode, parseRuntimeEnv, shortHash } from '../../../lib/core';
import { generateService, POLLER_FULL_HANDLER, POLLER_HANDLER } from '../../../lib/deploy';
import { configDocumentOf } from '../../../lib/deploy/function';
import type { SourceDefinition } from '../../../lib/core';
import { startHttpServer, type TestHttpServer } from '../../support/http-server';
import { useKinesalite } from '../../support/kinesalite';
import { CapturingLogger } from '../../support/source-context';
import { VirtualClock } from '../../support/virtual-clock';
import { inputOf, optionsOf, periodicYaml } from '../../unit/deploy/support';

const ROOT = join(__dirname, '../../..');
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const lambdaContext = (): Context => ({ awsRequestId: 'req-1', getRemainingTimeInMillis: () => 70_000 }) as unknown as Context;

/** What a spec says, without its definition object (compared by type) and its local `baseDir`. */
function comparable(spec: ConnectorSpec): Record<string, unknown> {
  const { definition, redact: _redact, baseDir: _baseDir, ...rest } = spec;
  return { ...rest, definition: definition.type };
}

/** The generated poller functions of `inputs`, by function key. */
function pollersOf(...inputs: ReturnType<typeof inputOf>[]): Array<{ handler: string; environment: Record<string, string> }> {
  return (Object.values(generateService(inputs, optionsOf()).functions) as Array<{ handler: string; environment: Record<string, string> }>).filter((fn) => fn.handler.startsWith('functions/poller'));
}

describe('Deployed poller config (CONNECTOR_SPEC, lib/config/deployed.ts)', () => {
  it('should round-trip every periodic config of configs/ to the spec the CLI parses from its file', () => {
    // Prepare: the repository's configs, as serverless.yml reads them (secrets deferred)
    const files = readdirSync(join(ROOT, 'configs')).filter((name) => name.endsWith('.yaml')).map((name) => `configs/${name}`);
    const inputs = files.map((file) => inputOf(readFileSync(join(ROOT, file), 'utf8'), file));

    // Act
    const pollers = pollersOf(...inputs);

    // Assess: each poller without secrets gets the validated config and no YAML; it reads back as `connector run` parses the file
    const lean = pollers.filter((fn) => fn.handler === POLLER_HANDLER);
    expect(lean.length).toBeGreaterThan(0);
    for (const fn of lean) {
      const env = fn.environment;
      expect(env[ConnectorEnv.CONFIG]).toBeUndefined();
      const file = env[ConnectorEnv.CONFIG_FILE]!;
      const cli = parseConnectorConfig(readFileSync(join(ROOT, file), 'utf8'), { file, registry: defaultRegistry });
      const deployed = deployedSpec(parseRuntimeEnv(env));
      expect(comparable(deployed)).toEqual(comparable(cli));
      expect((deployed.definition as SourceDefinition).mode(deployed.config)).toEqual((cli.definition as SourceDefinition).mode(cli.config));
    }
  });

  it('should give a config with secrets the full poller and its YAML document (JSON), and one with transforms the full poller and its spec', () => {
    // Prepare
    const secret = inputOf(periodicYaml('s', '10s', { meta: '  secrets:\n    - name: TOKEN\n', http: '  headers: ["Authorization: Bearer ${{ secrets.TOKEN }}"]\n' }), 'configs/s.yaml');
    const shaped = inputOf(periodicYaml('t', '10s', { tail: 'transforms:\n  - uses: infinyon/jolt@0.4.1\n    with:\n      spec:\n        - operation: shift\n          spec: {quote: text}\n' }), 'configs/t.yaml');

    // Act
    const [withSecrets, withTransforms] = pollersOf(secret, shaped);

    // Assess
    expect(withSecrets).toMatchObject({ handler: POLLER_FULL_HANDLER });
    expect(withSecrets!.environment).toMatchObject({ [ConnectorEnv.DOCUMENT]: configDocumentOf(secret.text, 'configs/s.yaml') });
    expect(withSecrets!.environment).not.toHaveProperty(ConnectorEnv.CONFIG);
    expect(withSecrets!.environment).not.toHaveProperty(ConnectorEnv.SPEC);
    expect(withTransforms).toMatchObject({ handler: POLLER_FULL_HANDLER });
    const spec = decodeDeployedSpec(withTransforms!.environment[ConnectorEnv.SPEC]!, periodicRegistry);
    expect(spec.transforms).toEqual(shaped.spec.transforms);
    expect(spec.transforms).toMatchObject([{ uses: 'infinyon/jolt@0.4.1', on_error: 'fail' }]);
  });

  it('should tag specs with the hash of the config schema the zod schemas generate (update DEPLOYED_SPEC_TAG when this fails)', () => {
    // Act
    const current = `1:${shortHash(JSON.stringify(configJsonSchema(periodicRegistry)), 12)}`;

    // Assess
    expect(DEPLOYED_SPEC_TAG).toBe(current);
  });

  it('should list every periodic connector type with the runtime parts of its definition', () => {
    // Assess
    expect([...periodicRuntimes.keys()].sort()).toEqual(periodicRegistry.definitions.map((def) => def.type).sort());
    for (const definition of periodicRegistry.definitions) {
      const runtime = periodicRuntimes.get(definition.type)!;
      expect(runtime).toMatchObject({ type: definition.type, direction: definition.direction, section: definition.section, needs: definition.needs });
      expect(runtime.mode).toBe(definition.direction === 'source' ? definition.mode : undefined);
    }
  });

  it.each([
    ['another schema tag', (text: string) => text.replace(DEPLOYED_SPEC_TAG, '1:000000000000'), ErrorCode.DEPLOYED_SPEC_STALE, 'redeploy'],
    ['no JSON', () => 'apiVersion: 0.2.0', ErrorCode.DEPLOYED_SPEC_STALE, 'redeploy'],
    ['an unknown type', (text: string) => text.replace('"type":"http-source"', '"type":"mqtt"'), ErrorCode.DEPLOYED_SPEC_STALE, 'does not run'],
  ])('should refuse a CONNECTOR_SPEC with %s before polling', async (_what, edit, code, message) => {
    // Prepare
    const [fn] = pollersOf(inputOf(periodicYaml('p', '10s'), 'configs/p.yaml'));
    const env = { ...fn!.environment, [ConnectorEnv.SPEC]: edit(fn!.environment[ConnectorEnv.SPEC]!) };
    const poll = createPollHandler({ env, clock: new VirtualClock(T0), log: new CapturingLogger() });

    // Act
    const outcome = poll({ time: new Date(T0).toISOString() }, lambdaContext());

    // Assess
    await expect(outcome).rejects.toMatchObject({ code, message: expect.stringContaining(message) });
  });

  it('should refuse, saying to redeploy, an environment with only the YAML, and a spec with transforms', async () => {
    // Prepare
    const yamlOnly = { [ConnectorEnv.CONFIG]: periodicYaml('p', '10s') };
    const shaped = inputOf(periodicYaml('t', '10s', { tail: 'transforms:\n  - uses: infinyon/regex-filter@0.1.0\n    with:\n      regex: x\n' }), 'configs/t.yaml');
    const transformsEnv = { [ConnectorEnv.SPEC]: encodeDeployedSpec(shaped.spec, 'configs/t.yaml') };
    const run = (env: NodeJS.ProcessEnv) => createPollHandler({ env, clock: new VirtualClock(T0), log: new CapturingLogger(), topics: () => ({ close: async () => undefined }) as never })({ time: new Date(T0).toISOString() }, lambdaContext());

    // Act + Assess
    await expect(run(yamlOnly)).rejects.toMatchObject({ code: ErrorCode.USAGE, message: expect.stringContaining('functions/poller-full.handler') });
    await expect(run({ [ConnectorEnv.DOCUMENT]: '{}' })).rejects.toMatchObject({ code: ErrorCode.USAGE, message: expect.stringContaining('only CONNECTOR_DOCUMENT') });
    await expect(run(transformsEnv)).rejects.toMatchObject({ code: ErrorCode.CONFIG_UNSUPPORTED, message: expect.stringContaining('redeploy') });
  });

  it('should refuse to encode a config with secrets (its values exist only at invocation)', () => {
    const secret = inputOf(periodicYaml('s', '10s', { meta: '  secrets:\n    - name: TOKEN\n', http: '  body: "${{ secrets.TOKEN }}"\n' }), 'configs/s.yaml');
    expect(() => encodeDeployedSpec(secret.spec, 'configs/s.yaml')).toThrow('a config with secrets');
  });
});

describe('Deployed pollers against a local HTTP server and kinesalite', () => {
  // The default Kinesis client (as deployed) reads its credentials and region from the environment.
  const kinesis = useKinesalite(['connectors-dev-spec-quotes']);
  let server: TestHttpServer;

  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url }));
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  /** The generated environment of one poller, pointed at kinesalite. */
  function generatedEnv(text: string, name: string): { handler: string; env: NodeJS.ProcessEnv } {
    const [fn] = pollersOf(inputOf(text, `configs/${name}.yaml`));
    return { handler: fn!.handler, env: { ...fn!.environment, [ConnectorEnv.KINESIS_ENDPOINT]: kinesis().endpoint, [ConnectorEnv.WINDOW_ANCHOR]: 'event' } };
  }

  it('should poll with the generated CONNECTOR_SPEC alone and land the record in the stream', async () => {
    // Prepare: a legacy config (interval in seconds, kebab-case keys), normalised by the generator
    const text = `version: v1\nname: spec-legacy\ntype: http\ntopic: spec-quotes\ndirection: source\nparameters:\n  endpoint: ${server.url}/legacy\n  interval: 60\n  user-agent: spec-test\n`;
    const { handler, env } = generatedEnv(text, 'spec-legacy');
    const poll = createPollHandler({ env, clock: new VirtualClock(T0), log: new CapturingLogger() });

    // Act
    const result = await poll({ time: new Date(T0).toISOString() }, lambdaContext());

    // Assess
    expect(handler).toBe(POLLER_HANDLER);
    expect(result).toMatchObject({ connector: 'spec-legacy', polls: 1, records: 1, errors: 0 });
    const request = server.requests.at(-1)!;
    expect(request.path).toBe('/legacy');
    expect(request.headers['user-agent']).toBe('spec-test');
    const records = (await kinesis().readAll('connectors-dev-spec-quotes')).filter((r) => r.partitionKey === 'spec-legacy');
    expect(records.map((r) => JSON.parse(r.data.toString()) as unknown)).toEqual([{ path: '/legacy' }]);
  });

  it('should substitute secrets from the context in the full poller, and fail clearly when a secret endpoint is no URL', async () => {
    // Prepare: the endpoint is one secret (checked at package time with a placeholder URL only)
    const text = periodicYaml('spec-secret', '60s', { topic: 'spec-quotes', meta: '  secrets:\n    - name: ENDPOINT\n' }).replace('endpoint: https://example.com/spec-secret', 'endpoint: "${{ secrets.ENDPOINT }}"');
    const { handler, env } = generatedEnv(text, 'spec-secret');
    const poll = createFullPollHandler({ env, clock: new VirtualClock(T0), log: new CapturingLogger() });

    // Act
    const result = await poll({ time: new Date(T0).toISOString() }, Object.assign(lambdaContext(), { ENDPOINT: `${server.url}/from-ssm` }));
    const bad = await poll({ time: new Date(T0).toISOString() }, Object.assign(lambdaContext(), { ENDPOINT: 'not a url' })).catch((err: unknown) => err);

    // Assess
    expect(handler).toBe(POLLER_FULL_HANDLER);
    expect(result).toMatchObject({ polls: 1, records: 1 });
    expect(server.requests.at(-1)!.path).toBe('/from-ssm');
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad).toMatchObject({ code: ErrorCode.CONFIG_INVALID_VALUE, message: expect.stringContaining('http.endpoint') });
    expect((bad as Error).message).not.toContain('not a url');
  });
});
