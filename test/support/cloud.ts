/**
 * AWS clients for `connector cloud` tests, each mocked with aws-sdk-client-mock (AWS itself cannot
 * run here), and builders of deployed-connector descriptors as a stack output holds them.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { CloudClients } from '../../lib/cloud/clients';
import type { DeployedConnector, Deployment } from '../../lib/cloud/stacks';

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };

/** Real SDK clients with their `send` mocked, and the mocks to program and inspect. */
export function mockedCloudClients() {
  const config = { region: REGION, credentials: CREDENTIALS };
  const clients = {
    cloudFormation: new CloudFormationClient(config),
    lambda: new LambdaClient(config),
    scheduler: new SchedulerClient(config),
    ecs: new ECSClient(config),
    cloudWatch: new CloudWatchClient(config),
    sqs: new SQSClient(config),
    logs: new CloudWatchLogsClient(config),
  } satisfies CloudClients;
  const mocks = {
    cloudFormation: mockClient(clients.cloudFormation),
    lambda: mockClient(clients.lambda),
    scheduler: mockClient(clients.scheduler),
    ecs: mockClient(clients.ecs),
    cloudWatch: mockClient(clients.cloudWatch),
    sqs: mockClient(clients.sqs),
    logs: mockClient(clients.logs),
  };
  return { clients, mocks };
}

/** A poller's descriptor in stack `connectors-dev`. */
export function poller(name: string, more: Partial<Extract<DeployedConnector, { kind: 'poller' }>> = {}): DeployedConnector {
  return {
    v: 1, kind: 'poller', name, type: 'http-source', config: `configs/${name}.yaml`, topic: 'quotes', stream: 'connectors-dev-quotes',
    logGroup: `/aws/lambda/connectors-dev-${name}`, function: `connectors-dev-${name}`, schedule: `connectors-dev-${name}-Schedule-XYZ`, scheduleGroup: 'default', every: '2s', stack: 'connectors-dev', ...more,
  };
}

/** A task connector's descriptor in stack `connectors-dev`. */
export function task(name: string, more: Partial<Extract<DeployedConnector, { kind: 'task' }>> = {}): DeployedConnector {
  return {
    v: 1, kind: 'task', name, type: 'http-source', config: `configs/${name}.yaml`, topic: 'quotes', stream: 'connectors-dev-quotes',
    logGroup: `/ecs/connectors-dev-${name}`, cluster: 'connectors-dev-Cluster-ABC', service: `connectors-dev-${name}-Service-XYZ`, tasks: 1, stack: 'connectors-dev', ...more,
  };
}

/** A sink's descriptor in stack `connectors-dev`. */
export function sink(name: string, more: Partial<Extract<DeployedConnector, { kind: 'sink' }>> = {}): DeployedConnector {
  return {
    v: 1, kind: 'sink', name, type: 'http-sink', config: `configs/${name}.yaml`, topic: 'quotes', stream: 'connectors-dev-quotes',
    logGroup: `/aws/lambda/connectors-dev-${name}`, function: `connectors-dev-${name}`, eventSourceMapping: `uuid-${name}`, stack: 'connectors-dev', ...more,
  };
}

/** A one-stack deployment of `connectors` (service `connectors`, stage `dev`). */
export function deploymentOf(connectors: DeployedConnector[], deadLetterQueueUrl?: string): Deployment {
  return {
    target: { service: 'connectors', stage: 'dev', region: REGION },
    stacks: [{ name: 'connectors-dev', status: 'UPDATE_COMPLETE', ...(deadLetterQueueUrl ? { deadLetterQueueUrl } : {}), connectors }],
    connectors,
    notes: [],
  };
}

/** A stack output holding `descriptor` as a deployed stack reports it (the `stack` field is not part of it). */
export function descriptorOutputOf(key: string, descriptor: DeployedConnector): { OutputKey: string; OutputValue: string } {
  const { stack: _stack, ...rest } = descriptor;
  return { OutputKey: key, OutputValue: JSON.stringify(rest) };
}

/** The error `promise` rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code: string; cause?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code: string; cause?: unknown };
  }
  throw new Error('expected a rejection');
}
