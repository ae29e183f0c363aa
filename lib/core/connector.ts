import type { z } from 'zod';
import type { Clock } from './clock';
import type { HttpTransport } from './http';
import type { Logger } from './log';

/** A record as a source hands it to the runtime. Strings are encoded as UTF-8. */
export interface SourceRecord {
  /** Record key; `null`/absent for none (Fluvio's http-source always produces a null key). */
  key?: string | Uint8Array | null;
  /** Record value. */
  value: string | Uint8Array;
}

/**
 * Live counters of one connector run, shown by `connector run` and logged at exit.
 * The runtime maintains `records`/`bytes`; sources maintain `polls`, `errors`, `lastPollAt`, `dropped`.
 */
export interface ConnectorMetrics {
  /** Records accepted by the topic. */
  records: number;
  /** Value bytes accepted by the topic. */
  bytes: number;
  /** Requests/polls/connections attempted by the source. */
  polls: number;
  /** Errors seen (failed requests, non-2xx responses, topic write failures). */
  errors: number;
  /** Responses or segments deliberately not produced (e.g. non-2xx bodies, broken partial segments). */
  dropped: number;
  /** Time (ms since epoch) of the last completed poll or received segment; `null` before the first. */
  lastPollAt: number | null;
}

/** Everything a source may use. Side effects come only from here, so tests can replace them. */
export interface SourceContext {
  /** Aborted when the connector must stop. Sources stop starting new work and return promptly. */
  signal: AbortSignal;
  /**
   * Hands records to the runtime. Resolves once the topic has accepted all of them (so awaiting it
   * is the backpressure). Rejects only when the topic failed permanently: the source should let
   * that error propagate.
   */
  emit(records: readonly SourceRecord[]): Promise<void>;
  /** Logger bound to this connector (`connector`, `type`). */
  log: Logger;
  /** Time source for every wait. */
  clock: Clock;
  /** HTTP side effect. */
  http: HttpTransport;
  /** Counters to update. */
  metrics: ConnectorMetrics;
}

/**
 * A periodic source: the runtime calls `poll` once per `intervalMs` slot (first slot at once,
 * fixed rate, missed slots skipped). Same contract in `connector run` and in a scheduled Lambda
 * function, which polls each slot inside its window.
 */
export interface PeriodicSource {
  readonly kind: 'periodic';
  /** Poll period in milliseconds (Fluvio's `interval`). */
  readonly intervalMs: number;
  /**
   * Performs one poll and emits what it yields. Handles its own retries within the poll; a thrown
   * error is logged by the runtime, counted, and the next slot polls again.
   */
  poll(ctx: SourceContext): Promise<void>;
}

/**
 * A continuous source: `run` owns its loop (streams, reconnects, timed generators) until
 * `ctx.signal` aborts or the source is exhausted (then it resolves and the connector ends).
 */
export interface ContinuousSource {
  readonly kind: 'continuous';
  run(ctx: SourceContext): Promise<void>;
}

export type Source = PeriodicSource | ContinuousSource;

/** Whether a connector reads from outside into a topic (`source`) or from a topic to outside (`sink`). */
export type Direction = 'source' | 'sink';

/**
 * One connector type: its schema (the single source of truth for the config section's types,
 * defaults, validation and docs) and its factory.
 *
 * @typeParam S - zod schema of the connector's config section (`http:` in apiVersion configs,
 *   `parameters:` in legacy configs). Its output type is what `create` receives.
 */
export interface ConnectorDefinition<S extends z.ZodType = z.ZodType> {
  /** Canonical type, as in `meta.type` (e.g. `http-source`). Also the folder name under lib/connectors. */
  readonly type: string;
  /** Other `type` values accepted in legacy configs (e.g. `http`). */
  readonly legacyTypes?: readonly string[];
  readonly direction: Direction;
  /** Key of the connector's section in apiVersion configs (e.g. `http`). */
  readonly section: string;
  /** Strict zod schema of the section. */
  readonly schema: S;
  /** One-line summary, used by generated docs and `connector validate`. */
  readonly summary: string;
  /** Builds the source for a validated section. */
  create(config: z.output<S>): Source;
}
