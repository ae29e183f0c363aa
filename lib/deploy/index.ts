export { ESBUILD_WORK_FOLDER, shareArtifacts } from './artifacts';
export { type CfnOutput, type CfnResource, type IamStatement } from './cfn';
export { CLUSTER, CONTAINER_NAME, DESIRED_TASKS, taskPlacement, UNSET } from './container';
export { type Fragment, type FunctionDefinition, type PlacementContext, type PlacementDefinition } from './fragment';
export {
  type ConnectorDescriptor,
  ConnectorDescriptorSchema,
  DEFAULT_SCHEDULE_GROUP,
  DESCRIPTOR_OUTPUT_SUFFIX,
  DESCRIPTOR_VERSION,
  descriptorOutput,
  descriptorOutputId,
  type DeployedKind,
  type DescriptorTemplate,
  jsonWithIntrinsics,
  MAX_OUTPUTS_PER_STACK,
} from './descriptor';
export { DEAD_LETTER_QUEUE, functionPlacement, MAX_EVENT_AGE_S, POLLER_HANDLER, POLLER_FULL_HANDLER, SCHEDULER_ROLE } from './function';
export {
  checkOutputBudget,
  checkResourceBudget,
  type ConnectorPlan,
  generateService,
  MAX_RESOURCES_PER_STACK,
  placements,
  planConnectors,
  resourceCounts,
  selectedGroup,
  type ServiceFragments,
  stackResources,
  streamResources,
} from './generate';
export { connectorNames, fitName, logicalBase, pascalCase, RESOURCE_SUFFIXES, streamLogicalId } from './naming';
export { type DeploymentOptions, type DeploymentOptionsInput, DeploymentOptionsSchema, LAMBDA_RUNTIMES, parseDeploymentOptions, secretPrefixOf, streamPrefixOf } from './options';
export { type ConnectorInput, groupOfTopic, MINUTE_MS, type Placement, placementOf, type SchedulePlan } from './plan';
