import type { StreamRef } from './access';
import type { CfnOutput, CfnResource } from './cfn';
import type { ConnectorNames } from './naming';
import type { DeploymentOptions } from './options';
import type { ConnectorInput, Placement } from './plan';

/** An osls `functions:` entry. */
export type FunctionDefinition = Record<string, unknown>;

/** What one connector or one stack-wide need adds to the service: the same shape for every placement. */
export interface Fragment {
  /** `functions:` entries (osls compiles each into the function, its log group and its async invoke config). */
  functions: Record<string, FunctionDefinition>;
  /** `resources.Resources` entries. */
  resources: Record<string, CfnResource>;
  /** `resources.Outputs` entries. */
  outputs: Record<string, CfnOutput>;
}

/** Where a placement puts one connector: names, its stream and the options. */
export interface PlacementContext {
  names: ConnectorNames;
  stream: StreamRef;
  options: DeploymentOptions;
  /** The stream of its dead-letter topic (`<topic>-dlq`) when a transform step says `on_error: dead-letter`. */
  deadLetterStream?: StreamRef;
  /** SmartModule `.wasm` files its transforms use, relative to the service directory (see `smartModuleFiles`). */
  smartModules: readonly string[];
}

/**
 * One way of running connectors in AWS (a scheduled function, a container task, …): its resource
 * budget and two pure functions, one per connector and one per stack. The generator looks
 * placements up in a registry by `Placement.kind`, so a new one is one entry.
 */
export interface PlacementDefinition<P extends Placement = Placement> {
  readonly kind: P['kind'];
  /** CloudFormation resources one connector adds to the packaged template: ours and those osls derives from its function. */
  readonly resourcesPerConnector: number;
  /** Resources a stack adds once when it has at least one connector of this kind (e.g. the ECS cluster). */
  readonly sharedResources: number;
  /** Logical-ID suffixes osls derives from a function key (`LambdaFunction`, `LogGroup`, …), so the generator can claim them. */
  readonly derivedSuffixes: readonly string[];
  /** The connector's functions and resources. */
  connector(input: ConnectorInput, placement: P, context: PlacementContext): Fragment;
  /** The stack's shared resources for this kind, when it has at least one such connector. */
  stack(options: DeploymentOptions): Fragment;
}

/** An empty {@link Fragment}. */
export function emptyFragment(): Fragment {
  return { functions: {}, resources: {}, outputs: {} };
}
