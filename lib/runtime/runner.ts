import { connectorRunner, type RunConnectorOptions, type RunResult } from './connector-run';
import { openTransformStage } from './transform-stage';

export { createSource, ensureTopic, type RunConnectorOptions, type RunResult, type RuntimeDeps, type StageOpener } from './connector-run';

const run = connectorRunner(openTransformStage);

/**
 * The one connector lifecycle, shared by `connector run`, `connector deploy start`, the Lambda
 * handler and the container entrypoint: log the config's located warnings, ensure the topic, open
 * the config's transforms, start the source with an AbortSignal and the ports its definition needs,
 * run every emitted record through the transforms (`transform-stage.ts`: each step's `on_error`)
 * and produce what comes out (retrying the topic with backoff), and on abort finish the in-flight
 * record, flush and close. The runtime owns retries of periodic polls and reconnects of continuous
 * sources (see `pollSlot`, `runContinuous`). A sink consumes its topic from its committed offset
 * instead (see {@link runSinkConnector}). Every log line goes through `spec.redact` (secret
 * values become `***`).
 *
 * @throws ConnectorError CONFIG_UNSUPPORTED when `window` is given for a continuous source or a sink.
 * @throws ConnectorError TRANSFORM_INVALID_MODULE / TRANSFORM_INIT_FAILED when a SmartModule cannot start.
 * @throws TransformError when a transform failed on a record and its step says `on_error: fail`.
 * @throws TopicNotFoundError when the topic is missing and may not be created.
 * @throws TopicWriteError when records could not be written (the count is in `undelivered`).
 * @throws ConnectorError with a `CONFIG_*` code when the source cannot send its request as
 *   configured (e.g. a header value Node refuses at send time): not retried.
 * @example
 * const spec = loadConnectorConfig('configs/quotes-periodic.yaml', { registry: defaultRegistry });
 * const ac = new AbortController();
 * await runConnector({ spec, topics: openLocalTopicStore({ dataDir }), signal: ac.signal });
 */
export function runConnector(options: RunConnectorOptions): Promise<RunResult> {
  return run(options);
}
