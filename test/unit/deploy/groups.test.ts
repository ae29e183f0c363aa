import { generateService, MAX_RESOURCES_PER_STACK, planConnectors, resourceCounts, type ServiceFragments } from '../../../lib/deploy/generate';
import { type ConnectorInput, groupOfTopic } from '../../../lib/deploy/plan';
import { assertDeployable } from '../../../lib/deploy/serverless';
import { ErrorCode } from '../../../lib/core/errors';
import { idsOfType, inputOf, manyPeriodic, optionsOf, periodicYaml, streamingYaml, thrown } from './support';

/** Connector names a stack's output runs: function names and task families (`connectors-dev-<name>`). */
function connectorsIn(fragments: ServiceFragments): string[] {
  const functions = Object.values(fragments.functions).map((definition) => definition.name as string);
  const tasks = idsOfType(fragments.resources.Resources, 'AWS::ECS::TaskDefinition').map((id) => fragments.resources.Resources[id]?.Properties?.Family as string);
  return [...functions, ...tasks].map((physical) => physical.replace(/^connectors-dev-/, ''));
}

/** 24 configs: 12 topics, some shared by a periodic and a streaming source. */
function mixedInputs(): ConnectorInput[] {
  return Array.from({ length: 12 }, (_, i) => [
    inputOf(periodicYaml(`poll-${i}`, '10s', { topic: `topic-${i}` }), `configs/poll-${i}.yaml`),
    inputOf(i % 2 === 0 ? streamingYaml(`stream-${i}`, { topic: `topic-${i}` }) : periodicYaml(`other-${i}`, '5m', { topic: `topic-${i}` }), `configs/second-${i}.yaml`),
  ]).flat();
}

/** A topic name whose group (of `groups`) is `group`. */
function topicInGroup(group: number, groups: number, avoid: readonly string[] = []): string {
  for (let i = 0; ; i++) if (groupOfTopic(`t-${i}`, groups) === group && !avoid.includes(`t-${i}`)) return `t-${i}`;
}

describe('Function: groupOfTopic', () => {
  it('should give a topic the same group every time', () => {
    // Act
    const first = ['quotes', 'cat-facts', 'ticks'].map((topic) => groupOfTopic(topic, 7));
    const second = ['quotes', 'cat-facts', 'ticks'].map((topic) => groupOfTopic(topic, 7));

    // Assess
    expect(second).toEqual(first);
  });

  it('should give groups in 0 … groups-1 and use every group', () => {
    // Prepare
    const topics = Array.from({ length: 400 }, (_, i) => `topic-${i}`);

    // Act
    const groups = [1, 2, 4, 7, 200].map((count) => topics.map((topic) => groupOfTopic(topic, count)));

    // Assess
    expect(new Set(groups[0])).toEqual(new Set([0]));
    for (const [index, count] of [2, 4, 7].entries()) expect(new Set(groups[index + 1])).toEqual(new Set(Array.from({ length: count }, (_, g) => g)));
    expect(groups[4]?.every((group) => Number.isInteger(group) && group >= 0 && group < 200)).toBe(true);
  });
});

describe('Function: generateService (groups)', () => {
  it('should put every connector in exactly one stack and the connectors of one topic in the same stack', () => {
    // Prepare
    const inputs = mixedInputs();

    // Act
    const stacks = [0, 1, 2, 3].map((group) => generateService(inputs, optionsOf({ groups: 4, group })));

    // Assess
    const appearances = stacks.flatMap(connectorsIn).sort();
    expect(appearances).toEqual(inputs.map((input) => input.spec.name).sort());
    for (let i = 0; i < 12; i++) {
      const holders = stacks.map((stack, group) => [group, connectorsIn(stack)] as const).filter(([, names]) => names.some((name) => name.endsWith(`-${i}`)));
      expect([i, holders.length]).toEqual([i, 1]);
      expect(holders[0]?.[0]).toBe(groupOfTopic(`topic-${i}`, 4));
    }
    expect(stacks.map((stack) => stack.stackName)).toEqual(['connectors-dev-g0', 'connectors-dev-g1', 'connectors-dev-g2', 'connectors-dev-g3']);
  });

  it('should create each topic\'s stream only in the stack of its group', () => {
    // Prepare
    const inputs = mixedInputs();

    // Act
    const stacks = [0, 1, 2, 3].map((group) => generateService(inputs, optionsOf({ groups: 4, group })));

    // Assess
    const streams = stacks.map((stack) => idsOfType(stack.resources.Resources, 'AWS::Kinesis::Stream').map((id) => stack.resources.Resources[id]?.Properties?.Name as string));
    expect(streams.flat().sort()).toEqual(Array.from({ length: 12 }, (_, i) => `connectors-dev-topic-${i}`).sort());
    for (const [group, names] of streams.entries()) for (const name of names) expect(groupOfTopic(name.replace('connectors-dev-', ''), 4)).toBe(group);
  });

  it('should not move existing connectors to another stack when 10 configs are added', () => {
    // Prepare
    const existing = manyPeriodic(20, 'old');
    const before = planConnectors(existing, optionsOf({ groups: 4, group: 0 })).plans;

    // Act
    const after = planConnectors([...existing, ...manyPeriodic(10, 'new')], optionsOf({ groups: 4, group: 0 })).plans;

    // Assess
    const groupsOf = (plans: typeof before) => Object.fromEntries(plans.filter((plan) => plan.name.startsWith('old')).map((plan) => [plan.name, plan.group]));
    expect(groupsOf(after)).toEqual(groupsOf(before));
    expect(after).toHaveLength(30);
  });

  it('should name the stack `<service>-<stage>` with one group', () => {
    // Act
    const fragments = generateService(manyPeriodic(2), optionsOf());

    // Assess
    expect(fragments.stackName).toBe('connectors-dev');
    expect(fragments.connectors.every((plan) => plan.group === 0)).toBe(true);
  });

  it('should require `group` when `groups` > 1 (DEPLOY_OPTIONS_INVALID)', () => {
    // Act
    const error = thrown(() => generateService(manyPeriodic(2), optionsOf({ groups: 3 })));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_OPTIONS_INVALID);
    expect(error.message).toContain('custom.connectors.groups is 3: package or deploy one stack at a time with --param group=N (0 … 2)');
  });

  it.each([
    [3, 3],
    [1, 1],
  ])('should refuse group %i with groups %i as out of range (DEPLOY_OPTIONS_INVALID)', (group, groups) => {
    // Act
    const error = thrown(() => generateService(manyPeriodic(2), optionsOf({ groups, group })));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_OPTIONS_INVALID);
    expect(error.message).toBe(`--param group=${group} is out of range: custom.connectors.groups is ${groups} (0 … ${groups - 1})`);
  });

  it('should refuse 200 connectors in one stack with DEPLOY_STACK_TOO_LARGE suggesting a `groups` value with which every stack fits', () => {
    // Prepare
    const inputs = manyPeriodic(200);

    // Act
    const error = thrown(() => generateService(inputs, optionsOf()));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_STACK_TOO_LARGE);
    expect(error.message).toMatch(/^stack 0 of 1 would have 1405 CloudFormation resources \(limit 500\): set custom\.connectors\.groups to \d+ \(the smallest value for which every stack fits\)/);
    const suggested = Number(/groups to (\d+)/.exec(error.message)?.[1]);
    const { plans, createdTopics } = planConnectors(inputs, optionsOf({ groups: suggested, group: 0 }));
    const counts = resourceCounts(plans, createdTopics, suggested, optionsOf({ groups: suggested, group: 0 }));
    expect(Math.max(...counts)).toBeLessThanOrEqual(MAX_RESOURCES_PER_STACK);
    const fewer = planConnectors(inputs, optionsOf({ groups: suggested - 1, group: 0 }));
    expect(Math.max(...resourceCounts(fewer.plans, fewer.createdTopics, suggested - 1, optionsOf({ groups: suggested - 1, group: 0 })))).toBeGreaterThan(MAX_RESOURCES_PER_STACK);
    const stacks = counts.map((_, group) => generateService(inputs, optionsOf({ groups: suggested, group })));
    expect(stacks.map((stack) => stack.resourceCount)).toEqual(counts);
  });

  it('should give every stack of one configs array the same output as from a fresh copy of the configs (the plan is kept per configs and options)', () => {
    // Prepare
    const inputs = mixedInputs();
    const groups = 3;

    // Act
    const shared = Array.from({ length: groups }, (_, group) => generateService(inputs, optionsOf({ groups, group })));
    const otherOptions = generateService(inputs, optionsOf({ groups: 2, group: 1 }));

    // Assess
    for (let group = 0; group < groups; group++) expect(shared[group]).toEqual(generateService([...inputs], optionsOf({ groups, group })));
    expect(otherOptions).toEqual(generateService([...inputs], optionsOf({ groups: 2, group: 1 })));
    expect(otherOptions.connectors.map((plan) => plan.group)).toEqual(planConnectors(inputs, optionsOf({ groups: 2, group: 1 })).plans.map((plan) => plan.group));
  });

  it('should refuse a too large stack again at every call with the same configs (a failed plan is not kept)', () => {
    // Prepare
    const inputs = manyPeriodic(200);

    // Act
    const errors = [0, 1].map(() => thrown(() => generateService(inputs, optionsOf({ groups: 2, group: 0 }))));

    // Assess
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.DEPLOY_STACK_TOO_LARGE, ErrorCode.DEPLOY_STACK_TOO_LARGE]);
  });

  it('should refuse a groups value that is still too small, suggesting more', () => {
    // Prepare
    const inputs = manyPeriodic(200);

    // Act
    const error = thrown(() => generateService(inputs, optionsOf({ groups: 2, group: 0 })));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_STACK_TOO_LARGE);
    expect(Number(/groups to (\d+)/.exec(error.message)?.[1])).toBeGreaterThan(2);
  });

  it('should name the topic when one topic alone has more connectors than a stack holds', () => {
    // Prepare: 100 periodic connectors of one topic (6 resources each, alarm included)
    const inputs = Array.from({ length: 100 }, (_, i) => inputOf(periodicYaml(`shared-${i}`, '10s', { topic: 'shared' }), `configs/shared-${i}.yaml`));

    // Act
    const error = thrown(() => generateService(inputs, optionsOf()));

    // Assess: no groups value can help
    expect(error.code).toBe(ErrorCode.DEPLOY_TOPIC_TOO_LARGE);
    expect(error.message).toContain('topic "shared" alone has 100 connectors needing 606 resources');
    expect(error.message).not.toContain('set custom.connectors.groups');
  });

  it('should count, per group, what osls will package: 5 resources per function and per task, 1 alarm per connector, 1 per created stream, shared ones once', () => {
    // Prepare
    const inputs = [
      inputOf(periodicYaml('p1', '10s', { topic: 'quotes' }), 'configs/p1.yaml'),
      inputOf(periodicYaml('p2', '10s', { topic: 'quotes' }), 'configs/p2.yaml'),
      inputOf(streamingYaml('s', { topic: 'ticks' }), 'configs/s.yaml'),
    ];

    // Act
    const { plans, createdTopics } = planConnectors(inputs, optionsOf());

    // Assess: 2 (bucket, policy) + DLQ + its alarm + scheduler role + cluster + 2 × (5 + alarm) + (5 + alarm) + 2 streams
    expect(resourceCounts(plans, createdTopics, 1, optionsOf())).toEqual([26]);
    expect(resourceCounts(plans, createdTopics, 1, optionsOf({ alarms: { enabled: false } }))).toEqual([22]);
  });

  // `fragments.connectors` holds the plans of every group: the message names this stack's only.
  it('should name only the streaming sources of the stack being deployed when refusing a missing image', () => {
    // Prepare
    const mine = topicInGroup(0, 2);
    const theirs = topicInGroup(1, 2);
    const inputs = [inputOf(streamingYaml('mine', { topic: mine }), 'configs/mine.yaml'), inputOf(streamingYaml('theirs', { topic: theirs }), 'configs/theirs.yaml')];
    const fragments = generateService(inputs, optionsOf({ groups: 2, group: 0 }));

    // Act
    const error = thrown(() => assertDeployable(fragments));

    // Assess
    expect(error.message).toMatch(/^streaming sources \(mine\) run as Fargate tasks/);
  });
});
