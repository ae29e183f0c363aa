import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createPollHandler } from '../../functions/poller';
import { parseConnectorConfig } from '../../lib/config';
import { encodeDeployedSpec } from '../../lib/config/deployed';
import { periodicRegistry } from '../../lib/connectors/periodic';
import { ConnectorEnv } from '../../lib/core/env';
import { silentLogger } from '../../lib/core/log';
import type { BenchResult } from '../result';
import { memoryTopics } from './memory-topics';
import { percentile, round } from './stats';

/**
 * Wall-clock time (ms since the epoch, same scale as `Date.now()`, which the slot grid uses) with
 * sub-ms resolution: `performance.now()` plus an offset taken at a `Date.now()` tick.
 */
function preciseWallClock(): () => number {
  const start = Date.now();
  let tick = Date.now();
  while (tick === start) tick = Date.now();
  const offset = tick - performance.now();
  return () => offset + performance.now();
}

const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);

/**
 * Slot timing of the real Lambda poll handler (`createPollHandler` of functions/poller.ts, real
 * clock, in-memory topics): one invocation with a `2s` http-source over a window of `windowMs`
 * (event `time` = the current whole second, `CONNECTOR_WINDOW_ANCHOR=epoch`, as the generator sets
 * for sub-minute intervals), against a local `node:http` server. Slots follow the slot rule: the
 * grid passes through the event time, so slot k is `time + k × interval`. Lateness of each poll =
 * request arrival at the server − the last slot before it, ms. The first slot (the event time) has
 * passed when the invocation starts and is polled at once by design (catch-up): such polls are left
 * out of the figures and counted in the row name.
 *
 * Baseline, same run and process: a chain of `setTimeout`s aimed at the same grid shifted by half an
 * interval (so they never coincide with a poll), lateness = callback time − target.
 * Target: p99 < 50 ms.
 * @param options.intervalMs - the source's interval, ms (default 2,000).
 * @param options.windowMs - the invocation's window, ms (default 20,000).
 * @throws Error when the handler reports errors or a different number of polls than the server saw,
 *   or when the median lateness exceeds a quarter interval (the polls follow another grid).
 */
export async function benchSlotDrift(options: { intervalMs?: number; windowMs?: number } = {}): Promise<BenchResult[]> {
  const intervalMs = options.intervalMs ?? 2_000;
  const windowMs = options.windowMs ?? 20_000;
  const now = preciseWallClock();
  const arrivals: number[] = [];
  const server = createServer((_req, res) => {
    arrivals.push(now());
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ quote: `quote ${arrivals.length}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const config = `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: bench-poller\n  type: http-source\n  topic: quotes\nhttp:\n  endpoint: http://127.0.0.1:${port}/api/quote\n  interval: ${intervalMs}ms\n`;
    const file = 'configs/bench-poller.yaml';
    const env: NodeJS.ProcessEnv = {
      // What the generator writes for a config without secrets or transforms (lib/deploy/function.ts).
      [ConnectorEnv.SPEC]: encodeDeployedSpec(parseConnectorConfig(config, { file, registry: periodicRegistry }), file),
      [ConnectorEnv.CONFIG_FILE]: file,
      [ConnectorEnv.STREAM_PREFIX]: 'connectors-dev-',
      [ConnectorEnv.WINDOW_MS]: String(windowMs),
      [ConnectorEnv.WINDOW_ANCHOR]: 'epoch',
    };
    const handler = createPollHandler({ env, log: silentLogger, topics: () => memoryTopics(['quotes']) });
    const startMs = Math.floor(Date.now() / 1000) * 1000;
    const invokedAt = now();
    const deadline = startMs + windowMs - 500;
    const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => startMs + windowMs + 10_000 - Date.now() };

    const baseline = async (): Promise<number[]> => {
      const lateness: number[] = [];
      const first = startMs + Math.ceil((invokedAt - startMs - intervalMs / 2) / intervalMs) * intervalMs + intervalMs / 2;
      for (let target = first; target < deadline; target += intervalMs) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, target - now())));
        lateness.push(now() - target);
      }
      return lateness;
    };
    const [result, timerLateness] = await Promise.all([handler({ time: new Date(startMs).toISOString() }, context), baseline()]);

    if (result.errors > 0 || result.polls !== arrivals.length) throw new Error(`poll handler: ${result.polls} polls, ${result.errors} errors, server saw ${arrivals.length} requests`);
    const slotOf = (t: number): number => startMs + Math.floor((t - startMs) / intervalMs) * intervalMs;
    const catchUp = arrivals.filter((t) => slotOf(t) < invokedAt).length;
    const lateness = sorted(arrivals.filter((t) => slotOf(t) >= invokedAt).map((t) => t - slotOf(t)));
    const timers = sorted(timerLateness);
    if (lateness.length === 0 || timers.length === 0) throw new Error('slot drift: no slot after the invocation started');
    if (percentile(lateness, 50) > intervalMs / 4) throw new Error(`slot drift: polls arrive ${round(percentile(lateness, 50))} ms after the assumed slots (event time + k × ${intervalMs} ms); has the slot rule changed?`);
    const p99 = percentile(lateness, 99);
    const timerP99 = percentile(timers, 99);
    return [
      {
        name: `Lambda poller slot lateness, ${intervalMs / 1000}s interval, ${windowMs / 1000}s window, p99 (server arrival − slot; ${lateness.length} polls, p50 ${round(percentile(lateness, 50))} ms; ${catchUp} catch-up poll left out)`,
        value: round(p99),
        unit: 'ms',
        baseline: { name: `setTimeout chain on the same grid shifted by half an interval, p99 (${timers.length} ticks)`, value: round(timerP99) },
        ratio: timerP99 > 0 ? p99 / timerP99 : undefined,
        target: 'p99 < 50 ms',
      },
    ];
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
