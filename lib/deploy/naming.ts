import { ConnectorError, ErrorCode, fitName, shortHash } from '../core';

export { fitName, shortHash } from '../core';

/** `quotes-periodic` → `QuotesPeriodic`: a CloudFormation logical ID part (alphanumeric). */
export function pascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0);
  return words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}

/** Names whose PascalCase form gives them back (lowercase words starting with a letter, single dashes). */
const REVERSIBLE = /^[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*$/;

/**
 * The logical ID base of a connector or topic name. It depends on the name alone, so adding or
 * removing other configs never renames a deployed resource. Names that PascalCase would not give
 * back (`a_b`, `a-1`, `Quotes`) get 6 hex characters of their hash, so `a-b` and `a_b` differ.
 */
export function logicalBase(name: string): string {
  const base = pascalCase(name) || 'X';
  const prefixed = /^[0-9]/.test(base) ? `N${base}` : base;
  return REVERSIBLE.test(name) ? prefixed : `${prefixed}${shortHash(name, 6)}`;
}

/** Lambda function names: at most 64 characters (AWS limit). */
export const MAX_FUNCTION_NAME = 64;

/**
 * Suffixes of the logical IDs of one connector's resources (ours and those osls derives from the
 * function key). No suffix ends with another, so `x` + `TaskRole` can never equal `x-task` + a suffix.
 */
export const RESOURCE_SUFFIXES = {
  FUNCTION: 'LambdaFunction',
  FUNCTION_LOG_GROUP: 'LogGroup',
  EVENT_INVOKE_CONFIG: 'LambdaEvConf',
  FUNCTION_ROLE: 'FunctionRole',
  SCHEDULE: 'Schedule',
  TASK_LOG_GROUP: 'LogGroup',
  TASK_ROLE: 'TaskRole',
  EXECUTION_ROLE: 'ExecutionRole',
  TASK_DEFINITION: 'TaskDefinition',
  SERVICE: 'Service',
  ALARM: 'ErrorsAlarm',
  EVENT_SOURCE_MAPPING: 'EventSourceMapping',
} as const;

/** Logical IDs and names of one connector's resources. */
export interface ConnectorNames {
  /** Key under `functions:` (osls derives `<Key>LambdaFunction`, `<Key>LogGroup`, … from it). */
  functionKey: string;
  /** PascalCase base of the logical IDs (`<Base>FunctionRole`, `<Base>Schedule`, …). */
  base: string;
  /** Physical name: Lambda function name, ECS family and log group suffix: `<service>-<stage>-<connector>`, ≤ 64. */
  physical: string;
}

/** Names of one connector's resources; see {@link logicalBase}. */
export function connectorNames(connector: string, service: string, stage: string): ConnectorNames {
  const base = logicalBase(connector);
  return { base, functionKey: base[0]!.toLowerCase() + base.slice(1), physical: fitName(`${service}-${stage}-${connector}`, MAX_FUNCTION_NAME) };
}

/** Logical ID of the stream resource of `topic` (`quotes` → `TopicQuotesStream`). */
export function streamLogicalId(topic: string): string {
  return `Topic${logicalBase(topic)}Stream`;
}

/**
 * Guards against two resources of a stack sharing a logical ID (the second would silently replace
 * the first): each ID is claimed with its owner.
 * @throws ConnectorError DEPLOY_LOGICAL_ID_COLLISION naming both owners, when an ID is claimed twice.
 */
export function logicalIdRegistry(): (id: string, owner: string) => string {
  const owners = new Map<string, string>();
  return (id, owner) => {
    const other = owners.get(id);
    if (other !== undefined && other !== owner) {
      throw new ConnectorError(`${owner} and ${other} would both create the CloudFormation resource ${id}; rename one of them`, ErrorCode.DEPLOY_LOGICAL_ID_COLLISION);
    }
    owners.set(id, owner);
    return id;
  };
}
