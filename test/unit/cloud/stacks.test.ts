import { DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { connectorNamed, descriptorsOf, findDeployment, stackNamePattern } from '../../../lib/cloud/stacks';
import { ErrorCode } from '../../../lib/core/errors';
import { deploymentOf, descriptorOutputOf, mockedCloudClients, poller, task, rejectionOf } from '../../support/cloud';

const TARGET = { service: 'connectors', stage: 'dev', region: 'us-east-1' };

describe('Function: stackNamePattern', () => {
  it('should match the stack of one group and the stacks of several, and nothing else', () => {
    // Act
    const pattern = stackNamePattern(TARGET);

    // Assess
    expect(['connectors-dev', 'connectors-dev-g0', 'connectors-dev-g16'].filter((name) => pattern.test(name))).toHaveLength(3);
    expect(['connectors-prod', 'connectors-dev-x', 'connectors-devx', 'my-connectors-dev', 'connectors-dev-g'].filter((name) => pattern.test(name))).toEqual([]);
  });
});

describe('Function: findDeployment', () => {
  it('should read the connectors of every stack of the service and stage, across ListStacks pages', async () => {
    // Prepare: two groups on two pages, another stage, and a deleted stack are listed
    const { clients, mocks } = mockedCloudClients();
    mocks.cloudFormation
      .on(ListStacksCommand)
      .resolvesOnce({ StackSummaries: [{ StackName: 'connectors-dev-g1', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }, { StackName: 'connectors-prod', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }], NextToken: 'page-2' })
      .resolvesOnce({ StackSummaries: [{ StackName: 'connectors-dev-g0', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }] });
    mocks.cloudFormation.on(DescribeStacksCommand, { StackName: 'connectors-dev-g0' }).resolves({
      Stacks: [{ StackName: 'connectors-dev-g0', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [descriptorOutputOf('BConnector', poller('b')), { OutputKey: 'DeadLetterQueueUrl', OutputValue: 'https://sqs/dlq-0' }, { OutputKey: 'TopicQuotesStreamArn', OutputValue: 'arn:aws:kinesis:…' }] }],
    });
    mocks.cloudFormation.on(DescribeStacksCommand, { StackName: 'connectors-dev-g1' }).resolves({
      Stacks: [{ StackName: 'connectors-dev-g1', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [descriptorOutputOf('AConnector', task('a'))] }],
    });

    // Act
    const deployment = await findDeployment(clients, TARGET);

    // Assess
    expect(deployment.stacks.map((stack) => [stack.name, stack.deadLetterQueueUrl])).toEqual([['connectors-dev-g0', 'https://sqs/dlq-0'], ['connectors-dev-g1', undefined]]);
    expect(deployment.connectors.map((c) => [c.name, c.kind, c.stack])).toEqual([['a', 'task', 'connectors-dev-g1'], ['b', 'poller', 'connectors-dev-g0']]);
    expect(deployment.notes).toEqual([]);
    expect(mocks.cloudFormation.commandCalls(ListStacksCommand)[0]?.args[0].input.StackStatusFilter).not.toContain('DELETE_COMPLETE');
  });

  it('should fail with CLOUD_NOT_DEPLOYED, saying how it was looked for, when the region has no such stack', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();
    mocks.cloudFormation.on(ListStacksCommand).resolves({ StackSummaries: [{ StackName: 'other', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }] });

    // Act
    const error = await rejectionOf(findDeployment(clients, TARGET));

    // Assess
    expect(error.code).toBe(ErrorCode.CLOUD_NOT_DEPLOYED);
    expect(error.message).toContain('no stack connectors-dev (or connectors-dev-g<N>) in us-east-1');
    expect(error.message).toContain('--stage dev --region us-east-1');
  });

  it('should note a stack that is being updated and one deployed before descriptors existed', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();
    mocks.cloudFormation.on(ListStacksCommand).resolves({
      StackSummaries: [{ StackName: 'connectors-dev-g0', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: new Date() }, { StackName: 'connectors-dev-g1', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }],
    });
    mocks.cloudFormation.on(DescribeStacksCommand, { StackName: 'connectors-dev-g0' }).resolves({ Stacks: [{ StackName: 'connectors-dev-g0', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: new Date(), Outputs: [descriptorOutputOf('PConnector', poller('p'))] }] });
    mocks.cloudFormation.on(DescribeStacksCommand, { StackName: 'connectors-dev-g1' }).resolves({ Stacks: [{ StackName: 'connectors-dev-g1', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'DeadLetterQueueUrl', OutputValue: 'u' }] }] });

    // Act
    const deployment = await findDeployment(clients, TARGET);

    // Assess
    expect(deployment.connectors.map((c) => c.name)).toEqual(['p']);
    expect(deployment.notes).toEqual(['stack connectors-dev-g0 is UPDATE_IN_PROGRESS', 'stack connectors-dev-g1 has no connector outputs (deployed before `connector cloud` existed? redeploy it)']);
  });

  it('should turn an AWS failure into CLOUD_REQUEST_FAILED naming the call', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();
    mocks.cloudFormation.on(ListStacksCommand).rejects(Object.assign(new Error('User: arn:aws:iam::1:user/x is not authorized to perform: cloudformation:ListStacks'), { name: 'AccessDenied' }));

    // Act
    const error = await rejectionOf(findDeployment(clients, TARGET));

    // Assess
    expect(error.code).toBe(ErrorCode.CLOUD_REQUEST_FAILED);
    expect(error.message).toMatch(/^CloudFormation ListStacks failed: AccessDenied: User: .* not authorized .*see the IAM actions in lib\/cloud\/README.md/);
  });
});

describe('Function: descriptorsOf', () => {
  it('should read valid descriptors and note, without failing, those it cannot read', () => {
    // Act
    const { connectors, notes } = descriptorsOf('s', [
      descriptorOutputOf('OkConnector', poller('ok')),
      { OutputKey: 'BrokenConnector', OutputValue: '{"v":1,' },
      { OutputKey: 'NewerConnector', OutputValue: JSON.stringify({ v: 2, kind: 'poller', name: 'newer' }) },
      { OutputKey: 'OddConnector', OutputValue: JSON.stringify({ v: 1, kind: 'lambda-url', name: 'odd' }) },
      { OutputKey: 'ClusterName', OutputValue: 'c' },
    ]);

    // Assess
    expect(connectors.map((c) => c.name)).toEqual(['ok']);
    expect(notes).toEqual([
      'stack s: output BrokenConnector is not valid JSON; redeploy the stack',
      'stack s: output NewerConnector was written by a newer version (descriptor v2); upgrade this CLI to manage it',
      expect.stringMatching(/^stack s: output OddConnector is not a connector descriptor this CLI reads \(kind: /),
    ]);
  });
});

describe('Function: connectorNamed', () => {
  it('should find a connector by name, or fail with CONNECTOR_NOT_FOUND listing the deployed ones', () => {
    // Prepare
    const deployment = deploymentOf([poller('quotes-periodic'), task('quotes-stream')]);

    // Act
    const found = connectorNamed(deployment, 'quotes-stream');
    let error: (Error & { code?: string }) | undefined;
    try {
      connectorNamed(deployment, 'quotes');
    } catch (e) {
      error = e as Error & { code?: string };
    }

    // Assess
    expect(found.kind).toBe('task');
    expect(error?.code).toBe(ErrorCode.CONNECTOR_NOT_FOUND);
    expect(error?.message).toBe('Connector not found: quotes (deployed connectors of connectors-dev in us-east-1: quotes-periodic, quotes-stream)');
  });

  it('should ask for --stack when the name is in two stacks, and take the one given', () => {
    // Prepare
    const deployment = deploymentOf([poller('p', { stack: 'connectors-dev' }), poller('p', { stack: 'connectors-dev-g1' })]);

    // Act
    const chosen = connectorNamed(deployment, 'p', 'connectors-dev-g1');

    // Assess
    expect(chosen.stack).toBe('connectors-dev-g1');
    expect(() => connectorNamed(deployment, 'p')).toThrow(/deployed in stacks connectors-dev and connectors-dev-g1 .*--stack NAME/);
  });
});
