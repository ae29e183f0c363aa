import { generateService, OSLS_RESOURCES_PER_FUNCTION, OSLS_RESOURCES_PER_STACK } from '../../../lib/deploy/generate';
import { connectorNames, fitName, logicalBase, MAX_FUNCTION_NAME, pascalCase, shortHash, streamLogicalId } from '../../../lib/deploy/naming';
import type { ConnectorInput } from '../../../lib/deploy/plan';
import { inputOf, legacyYaml, optionsOf, periodicYaml, resourceOf, statementsOf, streamingYaml } from './support';

/** Resources of a stack as osls packages it: ours, plus osls's per stack and per function. */
function packagedCount(inputs: readonly ConnectorInput[]): { counted: number; generated: number } {
  const fragments = generateService(inputs, optionsOf());
  const functions = Object.keys(fragments.functions).length;
  return { counted: fragments.resourceCount, generated: Object.keys(fragments.resources.Resources).length + OSLS_RESOURCES_PER_STACK + OSLS_RESOURCES_PER_FUNCTION * functions };
}

describe('Function: fitName', () => {
  it('should keep a name that fits', () => {
    // Act + Assess
    expect(fitName('connectors-dev-quotes', 128)).toBe('connectors-dev-quotes');
    expect(fitName('x'.repeat(128), 128)).toBe('x'.repeat(128));
  });

  it('should cut a longer name to the limit with `-` and 8 hex characters of its hash', () => {
    // Prepare
    const name = 'x'.repeat(129);

    // Act
    const fitted = fitName(name, 128);

    // Assess
    expect(fitted).toBe(`${'x'.repeat(119)}-${shortHash(name)}`);
    expect(fitted).toHaveLength(128);
  });

  it('should keep two long names with the same beginning distinct', () => {
    // Act
    const a = fitName(`${'x'.repeat(130)}a`, 64);
    const b = fitName(`${'x'.repeat(130)}b`, 64);

    // Assess
    expect(a).not.toBe(b);
    expect([a.length, b.length]).toEqual([64, 64]);
  });

  it('should not leave a separator before the hash suffix', () => {
    // Prepare: the cut falls right after "-_."
    const name = `${'x'.repeat(52)}-_.${'y'.repeat(20)}`;

    // Act
    const fitted = fitName(name, 64);

    // Assess
    expect(fitted).toBe(`${'x'.repeat(52)}-${shortHash(name)}`);
  });
});

describe('Function: connectorNames', () => {
  it('should derive the PascalCase base, the function key and the physical name `<service>-<stage>-<name>`', () => {
    // Act
    const names = ['quotes-periodic', 'cat_facts', '1st'].map((name) => connectorNames(name, 'connectors', 'dev'));

    // Assess: names PascalCase cannot give back get a hash of the name
    expect(names).toEqual([
      { base: 'QuotesPeriodic', functionKey: 'quotesPeriodic', physical: 'connectors-dev-quotes-periodic' },
      { base: `CatFacts${shortHash('cat_facts', 6)}`, functionKey: `catFacts${shortHash('cat_facts', 6)}`, physical: 'connectors-dev-cat_facts' },
      { base: `N1st${shortHash('1st', 6)}`, functionKey: `n1st${shortHash('1st', 6)}`, physical: 'connectors-dev-1st' },
    ]);
  });

  it('should give `a-b`, `a_b` and `aB` (same PascalCase) distinct bases that depend on the name alone', () => {
    // Act
    const bases = ['a_b', 'a-b', 'aB'].map(logicalBase);

    // Assess
    expect(new Set(bases).size).toBe(3);
    expect(bases[1]).toBe('AB');
    expect(bases.filter((base) => /^AB[0-9a-f]{6}$/.test(base))).toHaveLength(2);
    expect(logicalBase('a_b')).toBe(bases[0]);
  });

  it('should cut physical names to Lambda\'s 64 characters, keeping the `<service>-<stage>-` prefix', () => {
    // Prepare: the longest connector name (64 characters)
    const long = `${'n'.repeat(63)}1`;

    // Act
    const [a, b] = [long, `${'n'.repeat(63)}2`].map((name) => connectorNames(name, 'connectors', 'dev').physical);

    // Assess
    expect([a?.length, b?.length]).toEqual([MAX_FUNCTION_NAME, MAX_FUNCTION_NAME]);
    expect(a).toMatch(/^connectors-dev-n+-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
  });
});

describe('Function: pascalCase and streamLogicalId', () => {
  it('should turn names into alphanumeric PascalCase', () => {
    // Act + Assess
    expect(['quotes-periodic', 'cat_facts', 'a--b__c', 'ABC-def'].map(pascalCase)).toEqual(['QuotesPeriodic', 'CatFacts', 'ABC', 'ABCDef']);
  });

  it('should give topics `a-1` and `a1` (same PascalCase) distinct stream logical IDs', () => {
    // Act
    const ids = ['a1', 'a-1', 'quotes'].map(streamLogicalId);

    // Assess
    expect(ids).toEqual(['TopicA1Stream', `TopicA1${shortHash('a-1', 6)}Stream`, 'TopicQuotesStream']);
  });
});

describe('Function: generateService (logical IDs)', () => {
  it('should create distinct streams for topics `a-1` and `a1` and give each connector its own', () => {
    // Prepare
    const inputs = [inputOf(periodicYaml('first', '10s', { topic: 'a-1' }), 'configs/first.yaml'), inputOf(periodicYaml('second', '10s', { topic: 'a1' }), 'configs/second.yaml')];

    // Act
    const { resources } = generateService(inputs, optionsOf());

    // Assess
    const firstId = `TopicA1${shortHash('a-1', 6)}Stream`;
    expect(resourceOf(resources.Resources, firstId).Properties.Name).toBe('connectors-dev-a-1');
    expect(resourceOf(resources.Resources, 'TopicA1Stream').Properties.Name).toBe('connectors-dev-a1');
    expect(statementsOf(resources.Resources, 'FirstFunctionRole')[1]?.Resource).toEqual([{ 'Fn::GetAtt': [firstId, 'Arn'] }]);
    expect(statementsOf(resources.Resources, 'SecondFunctionRole')[1]?.Resource).toEqual([{ 'Fn::GetAtt': ['TopicA1Stream', 'Arn'] }]);
  });

  it('should keep every resource of connectors `a-b` and `a_b` (function and task) apart', () => {
    // Prepare
    const inputs = [inputOf(periodicYaml('a-b', '10s'), 'configs/1.yaml'), inputOf(streamingYaml('a_b', { topic: 'ab' }), 'configs/2.yaml')];

    // Act
    const { functions, resources } = generateService(inputs, optionsOf());

    // Assess
    const hashed = `AB${shortHash('a_b', 6)}`;
    expect(Object.keys(functions)).toEqual(['aB']);
    expect(functions.aB).toMatchObject({ name: 'connectors-dev-a-b', role: 'ABFunctionRole' });
    expect(resourceOf(resources.Resources, 'ABSchedule').Properties.Target.Arn).toEqual({ 'Fn::GetAtt': ['ABLambdaFunction', 'Arn'] });
    expect(resourceOf(resources.Resources, `${hashed}TaskDefinition`).Properties.Family).toBe('connectors-dev-a_b');
    expect(resourceOf(resources.Resources, `${hashed}Service`).Properties.TaskDefinition).toEqual({ Ref: `${hashed}TaskDefinition` });
  });

  it('should generate exactly the resources it counts (no two connectors writing the same logical ID)', () => {
    // Prepare
    const inputs = [
      inputOf(periodicYaml('a-b', '10s'), 'configs/1.yaml'),
      inputOf(periodicYaml('a_b', '10s', { topic: 'ab' }), 'configs/2.yaml'),
      inputOf(streamingYaml('s', { topic: 'a-1' }), 'configs/3.yaml'),
      inputOf(streamingYaml('s2', { topic: 'a1' }), 'configs/4.yaml'),
      inputOf(legacyYaml('legacy', '10', { createTopic: false }), 'configs/5.yaml'),
    ];

    // Act
    const { counted, generated } = packagedCount(inputs);

    // Assess
    expect(generated).toBe(counted);
  });

  // Logical IDs are `<Base><Suffix>` with suffixes none of which ends with another
  // (RESOURCE_SUFFIXES), so `x` + `TaskRole` never meets `x-task` + a suffix.
  it('should keep a task connector `x` and a function connector `x-task` apart (both write `XTaskRole`)', () => {
    // Prepare
    const inputs = [inputOf(streamingYaml('x'), 'configs/x.yaml'), inputOf(periodicYaml('x-task', '10s'), 'configs/x-task.yaml')];

    // Act
    const { counted, generated } = packagedCount(inputs);

    // Assess
    expect(generated).toBe(counted);
  });

  // A function role is `<Base>FunctionRole`: it cannot be the shared `ConnectorsSchedulerRole`.
  it('should keep a connector named `connectors-scheduler` apart from the shared Scheduler role', () => {
    // Prepare
    const inputs = [inputOf(periodicYaml('connectors-scheduler', '10s'), 'configs/c.yaml')];

    // Act
    const { functions, resources } = generateService(inputs, optionsOf());

    // Assess
    const role = functions.connectorsScheduler?.role as string;
    expect(statementsOf(resources.Resources, role).map((s) => s.Action[0])).toEqual(['logs:CreateLogStream', 'kinesis:PutRecords', 'sqs:SendMessage']);
  });

  // A logical ID depends on its own name only: adding a config never renames a deployed resource
  // (CloudFormation would recreate it under the same physical name and fail).
  it('should keep the logical IDs of deployed connectors and streams when colliding names are added', () => {
    // Prepare
    const before = generateService([inputOf(periodicYaml('a_b', '10s', { topic: 'a1' }), 'configs/1.yaml')], optionsOf());
    const added = [inputOf(periodicYaml('a_b', '10s', { topic: 'a1' }), 'configs/1.yaml'), inputOf(periodicYaml('a-b', '10s', { topic: 'a-1' }), 'configs/2.yaml')];

    // Act
    const after = generateService(added, optionsOf());

    // Assess
    const identity = (fragments: typeof before, id: string) => JSON.stringify([fragments.resources.Resources[id]?.Properties?.Name, fragments.resources.Resources[id]?.Properties?.Description]);
    for (const id of Object.keys(before.resources.Resources)) expect([id, identity(after, id)]).toEqual([id, identity(before, id)]);
    for (const [key, definition] of Object.entries(before.functions)) expect(after.functions[key]?.name).toBe(definition.name);
  });
});
