/** Minimal CloudFormation shapes used by the generator. */

/** An intrinsic function or a literal. */
export type CfnValue = unknown;

/** A resource under `Resources`. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, CfnValue>;
  DependsOn?: string | string[];
  DeletionPolicy?: 'Delete' | 'Retain' | 'Snapshot' | 'RetainExceptOnCreate';
  UpdateReplacePolicy?: 'Delete' | 'Retain' | 'Snapshot';
}

/** An entry under `Outputs`. */
export interface CfnOutput {
  Description?: string;
  Value: CfnValue;
}

/** An IAM policy statement. */
export interface IamStatement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: CfnValue[];
  Condition?: Record<string, unknown>;
}

export const ref = (logicalId: string): CfnValue => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attribute: string): CfnValue => ({ 'Fn::GetAtt': [logicalId, attribute] });
export const sub = (template: string): CfnValue => ({ 'Fn::Sub': template });

/** `arn:${AWS::Partition}:<service>:${AWS::Region}:${AWS::AccountId}:<resource>` as `Fn::Sub`. */
export const arn = (service: string, resource: string): CfnValue => sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`);

/**
 * An IAM role that `principal` (e.g. `lambda.amazonaws.com`) assumes, with one inline policy.
 * @param trustCondition - condition of the trust policy (e.g. `aws:SourceAccount` against the confused deputy).
 */
export function role(principal: string, policyName: string, statements: IamStatement[], extra: Record<string, CfnValue> = {}, trustCondition?: Record<string, unknown>): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: [principal] }, Action: ['sts:AssumeRole'], ...(trustCondition ? { Condition: trustCondition } : {}) }],
      },
      ...extra,
      Policies: [{ PolicyName: policyName, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
    },
  };
}
