import { randomUUID } from 'node:crypto';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { ConnectorError, ErrorCode, UsageError } from '../core';
import type { CloudClients } from './clients';
import { awsCall } from './request';
import type { DeployedConnector } from './stacks';

/** What `connector cloud invoke` got back. */
export interface InvokeResult {
  connector: DeployedConnector;
  /** The event sent (its `time` starts the window). */
  event: ScheduledEventPayload;
  /** The window report the poller returned (`functions/poller.ts` `PollResult`: window, slots, polls, records, errors, …). */
  report: unknown;
  /** The last 4 KB of the invocation's log (Lambda `LogType: Tail`), decoded. */
  logTail: string;
}

/** The EventBridge "Scheduled Event" shape the poller's schedule sends (see `lib/deploy/function.ts`). */
export interface ScheduledEventPayload {
  version: '0';
  id: string;
  'detail-type': 'Scheduled Event';
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, never>;
}

/**
 * The event of one window starting at `nowMs` (cut to the second, as scheduled times are), in the
 * shape of the schedule's input; `source` tells the logs it came from the CLI.
 */
export function scheduledEvent(nowMs: number, region: string): ScheduledEventPayload {
  const time = new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return { version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'connector.cli', account: '', time, region, resources: [], detail: {} };
}

/**
 * `connector cloud invoke`: runs one window of a poller now, synchronously (Lambda `Invoke`,
 * `RequestResponse`), and returns the window report the handler returns. The call lasts as long as
 * the window (one minute for sub-minute intervals). The invocation runs beside the schedule's: an
 * enabled poller may poll twice in that minute (shut it down first to avoid that).
 * @throws UsageError (exit 2) for a task or sink (invoke runs pollers).
 * @throws ConnectorError CLOUD_INVOKE_FAILED when the function returned an error (its type, message and log tail).
 * @throws CloudRequestError (CLOUD_REQUEST_FAILED) when the call itself fails.
 */
export async function invokeWindow(clients: Pick<CloudClients, 'lambda'>, connector: DeployedConnector, context: { region: string; now?: number }): Promise<InvokeResult> {
  if (connector.kind !== 'poller') {
    const what = connector.kind === 'task' ? 'a streaming source running as an ECS task (it runs all the time)' : 'a sink (its function runs on the records of its stream)';
    throw new UsageError(`${connector.name} is ${what}: \`connector cloud invoke\` runs one window of a periodic source`);
  }
  const event = scheduledEvent(context.now ?? Date.now(), context.region);
  const response = await awsCall(`Lambda Invoke ${connector.function}`, () =>
    clients.lambda.send(new InvokeCommand({ FunctionName: connector.function, InvocationType: 'RequestResponse', LogType: 'Tail', Payload: Buffer.from(JSON.stringify(event)) })),
  );
  const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
  const logTail = response.LogResult ? Buffer.from(response.LogResult, 'base64').toString('utf8') : '';
  let payload: unknown = text;
  try {
    payload = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  if (response.FunctionError) {
    const { errorType, errorMessage } = (payload ?? {}) as { errorType?: string; errorMessage?: string };
    const tail = logTail ? `\n--- end of the invocation's log ---\n${logTail.trimEnd()}` : '';
    throw new ConnectorError(`${connector.name}: the invocation of ${connector.function} failed (${response.FunctionError}): ${errorType ?? 'Error'}: ${errorMessage ?? text}${tail}`, ErrorCode.CLOUD_INVOKE_FAILED);
  }
  return { connector, event, report: payload, logTail };
}
