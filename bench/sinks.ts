import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConnectorConfig } from '../lib/config';
import { defaultRegistry } from '../lib/connectors';
import { createMetrics, silentLogger } from '../lib/core';
import { runConnector } from '../lib/runtime';
import { openLocalTopicStore } from '../lib/topics/local';
import { median, startChild, until } from './child';
import type { BenchResult } from './result';

/** Value size of the records, bytes (a small JSON event). */
const VALUE_BYTES = 100;

const valueOf = (i: number): Buffer => {
  const head = `{"n":${i},"pad":"`;
  return Buffer.from(`${head}${'x'.repeat(VALUE_BYTES - head.length - 2)}"}`);
};

/**
 * Sink throughput: an http-sink delivering `records` records of 100 B from the local store (the
 * whole runtime: consumer, batches of 100, commits, retries armed) into a local HTTP server in its
 * own process, one POST per record, against a bare `fetch` loop posting the same bodies to the same
 * server one after the other, and (a stricter baseline) a bare `node:http` loop with a keep-alive
 * agent, the stack the sink itself uses. Rounds alternate; each figure is the median of `rounds`.
 * Target: ratio ≥ 0.8 against fetch (the runtime's consumer and commits cost little next to an HTTP
 * round trip).
 */
export async function benchSinks(options: { records?: number; rounds?: number } = {}): Promise<BenchResult[]> {
  const records = options.records ?? 2_000;
  const rounds = options.rounds ?? 3;
  const { port, child } = await startChild('sink-server');
  const base = `http://127.0.0.1:${port}`;
  const count = async (): Promise<number> => Number(await (await fetch(`${base}/count`)).text());
  const values = Array.from({ length: records }, (_, i) => valueOf(i));
  try {
    const bare = async (): Promise<number> => {
      const before = await count();
      const t0 = performance.now();
      for (const body of values) {
        const res = await fetch(`${base}/ingest`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        await res.text();
      }
      const ms = performance.now() - t0;
      if ((await count()) - before !== records) throw new Error('bare loop: records missing at the server');
      return ms;
    };
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: Buffer): Promise<void> =>
      new Promise((resolve, reject) => {
        const req = request(`${base}/ingest`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve());
        });
        req.on('error', reject);
        req.end(body);
      });
    const bareHttp = async (): Promise<number> => {
      const before = await count();
      const t0 = performance.now();
      for (const body of values) await post(body);
      const ms = performance.now() - t0;
      if ((await count()) - before !== records) throw new Error('bare node:http loop: records missing at the server');
      return ms;
    };
    const sink = async (): Promise<number> => {
      const dir = mkdtempSync(join(tmpdir(), 'bench-sink-'));
      const store = openLocalTopicStore({ dataDir: dir });
      try {
        await store.createTopic('events');
        await store.producer('events').send(values.map((value) => ({ value })));
        const spec = parseConnectorConfig(
          `apiVersion: 0.2.0\nmeta:\n  version: 0.3.0\n  name: bench-sink\n  type: http-sink\n  topic: events\n  consumer: {id: bench, offset: {start: beginning, strategy: auto}}\nhttp:\n  endpoint: ${base}/ingest\n  headers: ["Content-Type: application/json"]\n`,
          { file: 'bench-sink.yaml', registry: defaultRegistry },
        );
        const before = await count();
        const controller = new AbortController();
        const metrics = createMetrics();
        const t0 = performance.now();
        const run = runConnector({ spec, topics: store, signal: controller.signal, metrics, deps: { log: silentLogger } });
        await until(() => metrics.records >= records);
        const ms = performance.now() - t0;
        controller.abort();
        await run;
        if ((await count()) - before !== records || metrics.deadLettered > 0) throw new Error('sink: records missing at the server');
        return ms;
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    };
    await bare(); // warm-up: connections, JIT
    await bareHttp();
    await sink();
    const b: number[] = [];
    const h: number[] = [];
    const s: number[] = [];
    for (let i = 0; i < rounds; i++) {
      b.push(await bare());
      h.push(await bareHttp());
      s.push(await sink());
    }
    agent.destroy();
    const rate = (ms: number[]): number => records / (median(ms) / 1000);
    return [
      {
        name: `http-sink throughput into a local HTTP server (${records.toLocaleString('en-US')} records of ${VALUE_BYTES} B, local store → one POST per record)`,
        value: rate(s),
        unit: 'records/s',
        baseline: { name: 'bare fetch loop posting the same records', value: rate(b) },
        ratio: rate(s) / rate(b),
        target: 'ratio ≥ 0.8',
      },
      {
        name: 'http-sink throughput ÷ a bare node:http keep-alive loop (the same requests, no topic, no commits)',
        value: rate(s),
        unit: 'records/s',
        baseline: { name: 'bare node:http loop posting the same records', value: rate(h) },
        ratio: rate(s) / rate(h),
      },
    ];
  } finally {
    child.kill('SIGTERM');
  }
}
