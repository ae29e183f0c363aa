export { type CfnOutput, type CfnResource, type IamStatement } from './cfn';
export { CLUSTER, CONTAINER_NAME, UNSET } from './container';
export { ConnectorEnv, environmentBytes, LAMBDA_ENV_LIMIT_BYTES } from '../core/env';
export { DEAD_LETTER_QUEUE, type FunctionDefinition, MAX_EVENT_AGE_S, POLLER_HANDLER, SCHEDULER_ROLE } from './function';
export { type ConnectorPlan, generateService, MAX_RESOURCES_PER_STACK, planConnectors, resourceCounts, type ServiceFragments } from './generate';
export { connectorNames, fitName, logicalBase, pascalCase, RESOURCE_SUFFIXES, streamLogicalId } from './naming';
export { type DeploymentOptions, type DeploymentOptionsInput, DeploymentOptionsSchema, LAMBDA_RUNTIMES, parseDeploymentOptions, secretPrefixOf, streamPrefixOf } from './options';
export { type ConnectorInput, groupOfTopic, MINUTE_MS, type Placement, placementOf, type SchedulePlan } from './plan';
