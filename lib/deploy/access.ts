import type { ConnectorSpec } from '../config';
import { arn, type CfnValue, getAtt, type IamStatement } from './cfn';
import { type DeploymentOptions, secretPrefixOf } from './options';

/** Where the stream of a topic is: created in this stack (logical ID) or existing (by name). */
export interface StreamRef {
  /** Kinesis stream name (`streamPrefix` + topic). */
  name: string;
  /** Logical ID of the `AWS::Kinesis::Stream` resource when this stack creates it. */
  logicalId?: string;
}

/** ARN of a stream: `Fn::GetAtt` of a created one, an `arn:…:stream/<name>` for an existing one. */
export function streamArn(stream: StreamRef): CfnValue {
  return stream.logicalId ? getAtt(stream.logicalId, 'Arn') : arn('kinesis', `stream/${stream.name}`);
}

/**
 * What a producer needs on its own stream, nothing else: PutRecords/PutRecord, and
 * DescribeStreamSummary (the runtime checks the topic exists before producing).
 */
export function streamStatement(stream: StreamRef): IamStatement {
  return { Effect: 'Allow', Action: ['kinesis:PutRecords', 'kinesis:PutRecord', 'kinesis:DescribeStreamSummary'], Resource: [streamArn(stream)] };
}

/**
 * What a Lambda event source mapping needs to read its stream for a function, on that stream only
 * (AWS Lambda developer guide, "Kinesis: execution role permissions"; `ListStreams` is not needed
 * for a mapping on one stream).
 */
export function streamReadStatement(stream: StreamRef): IamStatement {
  return {
    Effect: 'Allow',
    Action: ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards'],
    Resource: [streamArn(stream)],
  };
}

/** Name of the SSM parameter or Secrets Manager secret holding `secret`. */
export function secretLocation(secret: string, options: DeploymentOptions): string {
  return `${secretPrefixOf(options)}${secret}`;
}

/**
 * ARN of a secret's parameter or secret. Secrets Manager ARNs end with a random 6-character
 * suffix that is unknown before the secret exists: `withSuffix` adds the `-??????` IAM wildcard;
 * without it the partial ARN (accepted by ECS `valueFrom`) is returned.
 */
export function secretArn(secret: string, options: DeploymentOptions, withSuffix: boolean): CfnValue {
  const location = secretLocation(secret, options);
  if (options.secrets.source === 'ssm') return arn('ssm', `parameter${location.startsWith('/') ? '' : '/'}${location}`);
  return arn('secretsmanager', `secret:${location}${withSuffix ? '-??????' : ''}`);
}

/** Read access to exactly the secrets `spec` declares; none when it declares none. */
export function secretStatements(spec: ConnectorSpec, options: DeploymentOptions): IamStatement[] {
  if (spec.secrets.length === 0) return [];
  const action = options.secrets.source === 'ssm' ? ['ssm:GetParameters', 'ssm:GetParameter'] : ['secretsmanager:GetSecretValue'];
  return [{ Effect: 'Allow', Action: action, Resource: spec.secrets.map((secret) => secretArn(secret, options, true)) }];
}

/** Write access to one log group's streams. */
export function logStatement(logGroupArn: CfnValue): IamStatement {
  return { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [logGroupArn] };
}
