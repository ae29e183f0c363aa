import { setTimeout as sleep } from 'node:timers/promises';
import { type FilteredLogEvent, paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudClients } from './clients';
import { awsCall, CloudRequestError } from './request';
import type { DeployedConnector } from './stacks';

/** One log line of a connector's function or task. */
export interface LogLine {
  /** Event time, ms since the epoch. */
  timestamp: number;
  /** Log stream (one per Lambda execution environment, one per ECS task). */
  stream: string;
  message: string;
  /** CloudWatch Logs event ID (unique). */
  id: string;
}

/** Settings of {@link readLogs} and {@link followLogs}. */
export interface LogOptions {
  /** First event time, ms since the epoch. */
  startMs: number;
  /** With {@link followLogs}: time between two polls, ms (default 2000). */
  pollMs?: number;
  /** With {@link followLogs}: stops following when aborted (Ctrl-C). */
  signal?: AbortSignal;
}

/** Default time between two polls of `--follow`, ms: FilterLogEvents allows a few calls per second per account. */
export const FOLLOW_POLL_MS = 2000;

function lineOf(event: FilteredLogEvent): LogLine {
  return { timestamp: event.timestamp ?? 0, stream: event.logStreamName ?? '', message: (event.message ?? '').replace(/\n$/, ''), id: event.eventId ?? `${event.logStreamName}/${event.timestamp}` };
}

/** Every event of `logGroup` from `startMs` on, oldest first (FilterLogEvents, all pages). */
async function eventsSince(clients: Pick<CloudClients, 'logs'>, logGroup: string, startMs: number): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  try {
    await awsCall(`CloudWatch Logs FilterLogEvents ${logGroup}`, async () => {
      for await (const page of paginateFilterLogEvents({ client: clients.logs }, { logGroupName: logGroup, startTime: startMs })) lines.push(...(page.events ?? []).map(lineOf));
    });
  } catch (error) {
    if (error instanceof CloudRequestError && error.awsName === 'ResourceNotFoundException') {
      throw new CloudRequestError(`log group ${logGroup} does not exist (the stack creates it: is the deployment complete?)`, error.awsName, error.cause);
    }
    throw error;
  }
  return lines.sort((a, b) => a.timestamp - b.timestamp);
}

/**
 * `connector cloud logs`: the log events of a connector's function (`/aws/lambda/<function>`) or
 * task (`/ecs/<service>-<stage>-<connector>`) since `startMs`, oldest first, across its log streams.
 * @throws CloudRequestError (CLOUD_REQUEST_FAILED) when the call fails or the log group does not exist.
 */
export function readLogs(clients: Pick<CloudClients, 'logs'>, connector: DeployedConnector, options: LogOptions): Promise<LogLine[]> {
  return eventsSince(clients, connector.logGroup, options.startMs);
}

/**
 * `connector cloud logs --follow`: yields the events since `startMs`, then polls every `pollMs`
 * for new ones (as `aws logs tail --follow` does) until `signal` aborts. Each event is yielded
 * once: polls restart at the latest timestamp seen, and events already yielded at that timestamp
 * are skipped by ID. Events that CloudWatch ingests late with an older timestamp than one already
 * shown are not shown (the same limit as `aws logs tail --follow`).
 * @throws CloudRequestError (CLOUD_REQUEST_FAILED) when a call fails.
 */
export async function* followLogs(clients: Pick<CloudClients, 'logs'>, connector: DeployedConnector, options: LogOptions): AsyncGenerator<LogLine> {
  let from = options.startMs;
  let seenAtFrom = new Set<string>();
  while (!options.signal?.aborted) {
    const lines = (await eventsSince(clients, connector.logGroup, from)).filter((line) => !(line.timestamp === from && seenAtFrom.has(line.id)));
    for (const line of lines) {
      if (options.signal?.aborted) return;
      yield line;
    }
    const latest = lines.at(-1)?.timestamp;
    if (latest !== undefined) {
      if (latest !== from) seenAtFrom = new Set();
      from = latest;
      for (const line of lines) if (line.timestamp === latest) seenAtFrom.add(line.id);
    }
    try {
      await sleep(options.pollMs ?? FOLLOW_POLL_MS, undefined, { signal: options.signal });
    } catch {
      return; // aborted
    }
  }
}
