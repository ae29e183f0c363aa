import { posix } from 'node:path';
import { type ConnectorSpec, deadLetterTopicOf } from '../config';
import { ConnectorError, ErrorCode, modeOf, shortHash } from '../core';
import { defaultTransforms, SMARTMODULE_NAME, type TransformRegistry, WASM_PATH } from '../transforms';

/** One config to deploy. */
export interface ConnectorInput {
  /** The config parsed with `deferSecrets: true` (secrets resolve at run time). */
  spec: ConnectorSpec;
  /** The config file's text, passed to the function or task, which parses it again with secret values. */
  text: string;
  /** The config's path relative to the service directory (`configs/quotes-periodic.yaml`), for messages. */
  file: string;
}

/** AWS schedules (EventBridge Scheduler, rules) fire at most once a minute. */
export const MINUTE_MS = 60_000;

/** How a periodic source is scheduled. */
export interface SchedulePlan {
  /** Schedule expression: `rate(N minutes)`. */
  expression: string;
  /** Length of one invocation's window (ms): the schedule period. */
  windowMs: number;
  /**
   * `event`: one poll at the event time (native schedule: the interval is a whole number of
   * minutes). `epoch`: poll every interval slot inside the window, on the grid that passes through
   * the event's second of the minute (interval not a whole number of minutes, e.g. `2s` or `90s`).
   */
  anchor: 'event' | 'epoch';
}

/**
 * Where a Kinesis event source mapping starts reading a sink's stream (when it is created; then it
 * keeps its own position): `TRIM_HORIZON` for `consumer.offset.start: beginning`, `LATEST` for `end`
 * (Fluvio's default).
 */
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST';

/** Where a connector runs in AWS. */
export type Placement =
  | { kind: 'function'; intervalMs: number; schedule: SchedulePlan }
  | { kind: 'task' }
  | { kind: 'sink'; startingPosition: StartingPosition };

/**
 * The scheduling rule, from the connector's declared mode (nothing is built): a periodic source
 * becomes a scheduled Lambda function; its interval maps to a native `rate(N minutes)` schedule
 * when it is a whole number of minutes, otherwise to `rate(1 minute)` with the handler polling
 * every interval slot inside each minute. A continuous source (http-source `stream: true`,
 * test-connector) becomes a container task. A sink becomes a function fed by a Kinesis event
 * source mapping on its topic's stream.
 * Sources with `transforms` deploy like the others: the function or task runs them (see
 * {@link smartModuleFiles} and {@link deadLetterTopic} for what they add).
 * Sinks run their transforms in the function too (a dead-letter step writes to the `<topic>-dlq` stream).
 * @throws ConnectorError DEPLOY_CONSUMER_OFFSET_UNSUPPORTED for a sink starting at an absolute or
 *   relative offset (a mapping starts at the oldest or the newest record only).
 */
export function placementOf(spec: ConnectorSpec): Placement {
  const mode = modeOf(spec.definition, spec.config);
  if (mode.kind === 'sink') {
    return { kind: 'sink', startingPosition: startingPositionOf(spec) };
  }
  if (mode.kind === 'continuous') return { kind: 'task' };
  const { intervalMs } = mode;
  if (intervalMs % MINUTE_MS === 0) {
    const minutes = intervalMs / MINUTE_MS;
    return { kind: 'function', intervalMs, schedule: { expression: `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`, windowMs: intervalMs, anchor: 'event' } };
  }
  return { kind: 'function', intervalMs, schedule: { expression: 'rate(1 minute)', windowMs: MINUTE_MS, anchor: 'epoch' } };
}

/** The event source mapping's starting position of a sink (see {@link StartingPosition}). */
function startingPositionOf(spec: ConnectorSpec): StartingPosition {
  const start = spec.consumer?.offset?.start;
  if (start === undefined || start === 'end') return 'LATEST';
  if (start === 'beginning') return 'TRIM_HORIZON';
  throw new ConnectorError(
    `${spec.file}: consumer.offset.start ${JSON.stringify(start)} cannot be deployed: a Kinesis event source mapping starts at the oldest record (start: beginning) or the newest (start: end) only`,
    ErrorCode.DEPLOY_CONSUMER_OFFSET_UNSUPPORTED,
  );
}

/**
 * The stack (0 … groups-1) a topic's connectors and stream go to: a hash of the topic name, so
 * every connector of a topic shares the stack that owns its stream, and adding configs never moves
 * an existing connector to another stack while `groups` is unchanged.
 */
export function groupOfTopic(topic: string, groups: number): number {
  return Number.parseInt(shortHash(topic), 16) % groups;
}

/**
 * Rejects two configs with the same connector name (their functions, tasks and log groups would
 * collide).
 * @throws ConnectorError DEPLOY_DUPLICATE_NAME naming both files.
 */
export function assertUniqueNames(inputs: readonly ConnectorInput[]): void {
  const seen = new Map<string, string>();
  for (const { spec, file } of inputs) {
    const other = seen.get(spec.name);
    if (other !== undefined) throw new ConnectorError(`${file}: connector name "${spec.name}" is also used by ${other}; connector names must be unique in a deployment`, ErrorCode.DEPLOY_DUPLICATE_NAME);
    seen.set(spec.name, file);
  }
}

/**
 * The SmartModule `.wasm` files a config's transforms use, as paths relative to the service
 * directory (posix, e.g. `configs/my-filter.wasm`): what the function's package and the image must
 * carry. `uses:` paths are relative to the config file (`input.file`); a `group/name@x.y.z` that is
 * not built in is the file `<name>.wasm` next to the config. Pure.
 * @param configsDir - the configs directory (`custom.connectors.configs`): modules must live in it,
 *   since the container image carries that directory (see the Dockerfile).
 * @throws ConnectorError DEPLOY_SMARTMODULE_PATH for an absolute path or a file outside `configsDir`.
 */
export function smartModuleFiles(input: ConnectorInput, configsDir: string, registry: TransformRegistry = defaultTransforms): string[] {
  const base = posix.dirname(input.file.split('\\').join('/'));
  const root = posix.normalize(configsDir.split('\\').join('/')).replace(/\/+$/, '');
  const files: string[] = [];
  for (const [index, step] of input.spec.transforms.entries()) {
    let uses: string;
    if (WASM_PATH.test(step.uses)) uses = step.uses;
    else if (SMARTMODULE_NAME.test(step.uses) && !registry.get(step.uses.slice(0, step.uses.indexOf('@')))) uses = `${posix.basename(step.uses.slice(0, step.uses.indexOf('@')))}.wasm`;
    else continue;
    const file = posix.normalize(posix.join(base, uses));
    if (posix.isAbsolute(uses) || !(file === root || file.startsWith(`${root}/`))) {
      throw new ConnectorError(
        `${input.file}: transforms[${index}].uses "${step.uses}" is ${posix.isAbsolute(uses) ? 'an absolute path' : `outside ${root}/`}; put SmartModule files in ${root}/ (the function package and the container image carry that directory) and name them relative to the config`,
        ErrorCode.DEPLOY_SMARTMODULE_PATH,
      );
    }
    if (!files.includes(file)) files.push(file);
  }
  return files;
}

/** The dead-letter topic of a config whose transforms say `on_error: dead-letter` (`<topic>-dlq`), else `undefined`. */
export function deadLetterTopic(spec: ConnectorSpec): string | undefined {
  return spec.transforms.some((step) => step.on_error === 'dead-letter') ? deadLetterTopicOf(spec.topic.name) : undefined;
}
