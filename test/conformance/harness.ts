/**
 * The contract of a connector's conformance harness: how the shared suite (connectors.test.ts)
 * drives one connector type against a real external side (a server, a broker) or none.
 *
 * Every connector folder registered in `defaultRegistry` must have a harness in ./harnesses
 * (listed in harnesses/index.ts); the suite fails for a type without one.
 */

/** A running external side for one source variant, and the config that reads from it. */
export interface SourceEndpoint {
  /** A complete config (YAML) of the connector against this endpoint; its topic is {@link CONFORMANCE_TOPIC}. */
  readonly config: string;
  /**
   * The record values the endpoint yields, in order, from the first: the topic must hold exactly
   * `expected(n)` after `n` records (nothing lost, nothing duplicated, in order).
   */
  expected(n: number): string[];
  /**
   * Makes the endpoint fail (refuse or break connections) until {@link recover}; absent when the
   * connector has no external side (test-connector).
   */
  drop?(): Promise<void>;
  /** Ends the failure started by {@link drop}. */
  recover?(): Promise<void>;
  /** Stops the external side. */
  close(): Promise<void>;
}

/** One way a source runs (e.g. http-source periodic and streaming). */
export interface SourceVariant {
  /** Shown in test names, e.g. `periodic`. */
  readonly name: string;
  /** Its endpoint has `drop`/`recover` (false only without an external side, as for test-connector). */
  readonly canDrop: boolean;
  /** Starts a fresh external side. */
  start(): Promise<SourceEndpoint>;
}

/** A config of the type with one wrong field, and where the error must point. */
export interface BadConfig {
  readonly text: string;
  /** The error code of the first issue, e.g. `CONFIG_INVALID_VALUE`. */
  readonly code: string;
  /** Its field path, e.g. `http.interval`. */
  readonly path: string;
  /** Its 1-based line. */
  readonly line: number;
}

/** The harness of one source connector type. */
export interface SourceHarness {
  /** Canonical type, as registered. */
  readonly type: string;
  readonly direction: 'source';
  readonly variants: readonly SourceVariant[];
  readonly badConfig: BadConfig;
}

/** A running external side for one sink variant (an endpoint recording what it receives), and the config that writes to it. */
export interface SinkEndpoint {
  /**
   * A complete config (YAML) of the connector against this endpoint; its topic is
   * {@link CONFORMANCE_TOPIC} and its consumer starts at the beginning of the topic.
   */
  readonly config: string;
  /** What the endpoint accepted so far, as record values, in arrival order. */
  received(): string[];
  /** Makes the endpoint refuse records (retryable failures) until {@link recover}. */
  drop?(): Promise<void>;
  /** Ends the failure started by {@link drop}. */
  recover?(): Promise<void>;
  /** Stops the external side. */
  close(): Promise<void>;
}

/** One way a sink runs. */
export interface SinkVariant {
  readonly name: string;
  /** Its endpoint has `drop`/`recover`. */
  readonly canDrop: boolean;
  start(): Promise<SinkEndpoint>;
}

/** The harness of one sink connector type: records produced into the topic must reach the endpoint. */
export interface SinkHarness {
  readonly type: string;
  readonly direction: 'sink';
  readonly variants: readonly SinkVariant[];
  readonly badConfig: BadConfig;
}

/** The harness of a connector type: a source's or a sink's. */
export type ConformanceHarness = SourceHarness | SinkHarness;

/** The topic every harness config writes to. */
export const CONFORMANCE_TOPIC = 'conformance';
