import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOYMENT_OPTIONS_MARKERS, deploymentOptionsTable, parseDeploymentOptions, secretPrefixOf, streamPrefixOf } from '../../../lib/deploy/options';
import { withGeneratedBlock } from '../../../lib/schema/docs';
import { cliParams, deploymentOptionsOf, type VariableResolver } from '../../../lib/deploy/serverless';
import { ErrorCode } from '../../../lib/core/errors';
import { optionsOf, thrown } from './support';

/** What osls passes to `${file(serverless/connectors.js):…}`: a parsed serverless.yml and the CLI options. */
function fakeResolver(yml: Record<string, unknown>, cliOptions: Record<string, unknown> = {}): VariableResolver {
  return {
    options: cliOptions,
    resolveVariable: async (expression) => {
      throw new Error(`unexpected variable ${expression}`);
    },
    resolveConfigurationProperty: async (path) => path.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], yml),
  };
}

const YML = {
  service: 'connectors',
  provider: { name: 'aws', stage: 'dev', region: 'eu-west-1' },
  custom: {
    connectors: {
      configs: 'configs',
      groups: 3,
      group: 0,
      container: { image: 'file-image', subnets: ['subnet-file'], securityGroups: ['sg-file'], cpu: '512' },
    },
  },
};

describe('Function: parseDeploymentOptions', () => {
  it('should apply the defaults', () => {
    // Act
    const options = parseDeploymentOptions({ service: 'connectors', stage: 'dev', region: 'us-east-1' });

    // Assess
    expect(options).toEqual({
      service: 'connectors',
      stage: 'dev',
      region: 'us-east-1',
      configs: 'configs',
      groups: 1,
      retainStreams: true,
      lambda: { architecture: 'arm64', memorySize: 256, logRetentionInDays: 14, marginMs: 500 },
      sink: { batchSize: 100, batchWindowSeconds: 1, maximumRetryAttempts: 3, timeout: 60 },
      secrets: { source: 'ssm' },
      container: { cpu: '256', memory: 512, architecture: 'X86_64', subnets: [], securityGroups: [], assignPublicIp: true, logRetentionInDays: 14 },
      metrics: { enabled: true, namespace: 'Connectors', periodSeconds: 60 },
      alarms: { enabled: true, threshold: 1, periodMinutes: 5 },
    });
    expect([options.group, options.streamPrefix, options.lambda.runtime, options.container.image, options.secrets.prefix]).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('should derive the default stream and secret prefixes from service and stage', () => {
    // Prepare
    const ssm = optionsOf({ service: 'billing', stage: 'prod' });
    const secretsManager = optionsOf({ service: 'billing', stage: 'prod', secrets: { source: 'secrets-manager' } });

    // Act + Assess
    expect(streamPrefixOf(ssm)).toBe('billing-prod-');
    expect(streamPrefixOf(optionsOf({ streamPrefix: '' }))).toBe('');
    expect(secretPrefixOf(ssm)).toBe('/billing/prod/');
    expect(secretPrefixOf(secretsManager)).toBe('billing/prod/');
    expect(secretPrefixOf(optionsOf({ secrets: { prefix: '' } }))).toBe('');
  });

  it('should coerce numbers given as strings (`--param group=2`)', () => {
    // Act
    const options = optionsOf({ groups: '4' as unknown as number, group: '2' as unknown as number, container: { memory: '1024' as unknown as number } });

    // Assess
    expect([options.groups, options.group, options.container.memory]).toEqual([4, 2, 1024]);
  });

  it.each([
    ['groups', { groups: 0 }],
    ['groups', { groups: 201 }],
    ['groups', { groups: 1.5 }],
    ['group', { group: -1 }],
    ['streamPrefix', { streamPrefix: 'a b/' }],
    ['retainStreams', { retainStreams: 'yes' }],
    ['lambda.runtime', { lambda: { runtime: 'nodejs18.x' } }],
    ['lambda.architecture', { lambda: { architecture: 'arm' } }],
    ['lambda.memorySize', { lambda: { memorySize: 64 } }],
    ['lambda.marginMs', { lambda: { marginMs: 60_000 } }],
    ['secrets.source', { secrets: { source: 'vault' } }],
    ['container.cpu', { container: { cpu: '300' } }],
    ['container.memory', { container: { memory: 256 } }],
    ['container.subnets', { container: { subnets: 'subnet-a' } }],
    ['container.assignPublicIp', { container: { assignPublicIp: 'no' } }],
  ])('should refuse %s in %j with DEPLOY_OPTIONS_INVALID naming custom.connectors.<path>', (path, extra) => {
    // Act
    const error = thrown(() => parseDeploymentOptions({ service: 'connectors', stage: 'dev', region: 'us-east-1', ...extra }));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_OPTIONS_INVALID);
    expect(error.message.split('\n')).toEqual(['invalid deployment options:', expect.stringMatching(new RegExp(`^  custom\\.connectors\\.${path.replace('.', '\\.')}: \\S`))]);
  });

  it.each([
    ['service', { service: 'my_service' }, 'expected a Serverless service name (letters, digits, -)'],
    ['--stage (provider.stage)', { stage: 'dev/1' }, 'expected a stage name (letters, digits, -)'],
  ])('should refuse an invalid %s with DEPLOY_OPTIONS_INVALID, named where it is set', (key, extra, expected) => {
    // Act
    const error = thrown(() => parseDeploymentOptions({ service: 'connectors', stage: 'dev', region: 'us-east-1', ...extra }));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_OPTIONS_INVALID);
    expect(error.message).toContain(`${key}: ${expected}`);
  });

  // An unknown key of custom.connectors itself has an empty zod path.
  it('should name an unknown top-level option without a dangling dot', () => {
    // Act
    const error = thrown(() => parseDeploymentOptions({ service: 'connectors', stage: 'dev', region: 'us-east-1', foo: 1 }));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_OPTIONS_INVALID);
    expect(error.message).not.toContain('custom.connectors.:');
  });

  it('should name every invalid option in one error', () => {
    // Act
    const error = thrown(() => parseDeploymentOptions({ service: 'connectors', stage: 'dev', region: 'us-east-1', groups: 0, lambda: { memorySize: 64 }, container: { cpu: '300' } }));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_OPTIONS_INVALID);
    expect(error.message.split('\n').map((line) => line.split(':')[0])).toEqual([
      'invalid deployment options',
      '  custom.connectors.groups',
      '  custom.connectors.lambda.memorySize',
      '  custom.connectors.container.cpu',
    ]);
  });

  it('should refuse an unknown option, naming it', () => {
    // Act
    const error = thrown(() => parseDeploymentOptions({ service: 'connectors', stage: 'dev', region: 'us-east-1', lambda: { memory: 512 } }));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_OPTIONS_INVALID);
    expect(error.message).toMatch(/custom\.connectors\.lambda: .*"memory"/);
  });
});

describe('Function: cliParams', () => {
  it('should read `--param name=value` entries, splitting at the first `=`', () => {
    // Act
    const params = cliParams({ param: ['image=repo/connectors@sha256:abc=', 'subnets=a,b', 'group=2'] });

    // Assess
    expect(params).toEqual({ image: 'repo/connectors@sha256:abc=', subnets: 'a,b', group: '2' });
  });

  it('should read a single `--param` given as a string, and none', () => {
    // Act + Assess
    expect(cliParams({ param: 'group=1' })).toEqual({ group: '1' });
    expect(cliParams({})).toEqual({});
  });
});

describe('Function: deploymentOptionsOf', () => {
  it('should read custom.connectors, the service, and the stage and region of the provider', async () => {
    // Act
    const options = await deploymentOptionsOf(fakeResolver(YML));

    // Assess
    expect(options).toMatchObject({ service: 'connectors', stage: 'dev', region: 'eu-west-1', groups: 3, group: 0 });
    expect(options.container).toMatchObject({ image: 'file-image', subnets: ['subnet-file'], securityGroups: ['sg-file'], cpu: '512' });
  });

  it('should let `--param image=…`, `subnets=a,b`, `securityGroups=…`, `group=2` and `groups=…` override the file', async () => {
    // Prepare
    const resolver = fakeResolver(YML, { param: ['image=cli-image', 'subnets=subnet-a, subnet-b', 'securityGroups=sg-1,sg-2', 'group=2', 'groups=4'] });

    // Act
    const options = await deploymentOptionsOf(resolver);

    // Assess
    expect([options.group, options.groups]).toEqual([2, 4]);
    expect(options.container).toMatchObject({ image: 'cli-image', subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-1', 'sg-2'], cpu: '512' });
  });

  it('should prefer `--stage` and `--region` to the provider, and read `service: {name}`', async () => {
    // Prepare
    const yml = { ...YML, service: { name: 'billing' } };

    // Act
    const options = await deploymentOptionsOf(fakeResolver(yml, { stage: 'prod', region: 'ap-south-1' }));

    // Assess
    expect([options.service, options.stage, options.region]).toEqual(['billing', 'prod', 'ap-south-1']);
  });

  it('should default to stage dev and region us-east-1 without custom.connectors', async () => {
    // Act
    const options = await deploymentOptionsOf(fakeResolver({ service: 'connectors', provider: { name: 'aws' } }));

    // Assess
    expect(options).toMatchObject({ service: 'connectors', stage: 'dev', region: 'us-east-1', groups: 1, configs: 'configs' });
  });

  it('should refuse an invalid `--param group` with DEPLOY_OPTIONS_INVALID', async () => {
    // Prepare
    const resolver = fakeResolver(YML, { param: ['group=two'] });

    // Act
    const error = await deploymentOptionsOf(resolver).catch((caught: Error & { code?: string }) => caught);

    // Assess
    expect(error).toMatchObject({ code: ErrorCode.DEPLOY_OPTIONS_INVALID });
    expect((error as Error).message).toContain('custom.connectors.group:');
  });
});

describe('Function: parseDeploymentOptions (name prefix)', () => {
  it('should refuse a `<service>-<stage>-` longer than a cut function name keeps', () => {
    // Act
    const error = thrown(() => parseDeploymentOptions({ service: 'x'.repeat(45), stage: 'production', region: 'us-east-1' }));

    // Assess: 45 + 1 + 10 + 1 = 57 characters
    expect(error.code).toBe(ErrorCode.DEPLOY_OPTIONS_INVALID);
    expect(error.message).toContain('--stage (provider.stage): expected `<service>-<stage>-` of at most 55 characters');
  });
});

describe('Function: deploymentOptionsTable', () => {
  it('should keep the options table of the top-level README in sync with the schema (run `npm run docs`)', () => {
    // Prepare
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');

    // Assess
    expect(readme).toContain(DEPLOYMENT_OPTIONS_MARKERS.start);
    expect(withGeneratedBlock(readme, DEPLOYMENT_OPTIONS_MARKERS, deploymentOptionsTable())).toBe(readme);
  });

  it('should list every custom.connectors option with its default, nested ones by dotted name, and not the resolved ones', () => {
    const table = deploymentOptionsTable();
    expect(table).toContain('| `lambda.marginMs` | integer, 0 … 30000 | `500` |');
    expect(table).toContain('| `container.subnets` | list of string | `[]` |');
    expect(table).not.toMatch(/\| `(service|stage|region|group)` \|/);
  });
});

