import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../lib/core/log';
import { parseConnectorConfig } from '../lib/config';
import { defaultRegistry } from '../lib/connectors';
import { systemClock } from '../lib/core/clock';
import { type ConnectorMetrics, createMetrics } from '../lib/core/metrics';
import type { SourceRecord } from '../lib/core/source';
import { createRecordPipeline } from '../lib/runtime/pipeline';
import { openTransformStage } from '../lib/runtime/transform-stage';
import { type LocalTopicStore, openLocalTopicStore } from '../lib/topics/local';
import { artifactOf, REPO, runServerless, serviceDir } from '../scripts/service-dir';
import type { BenchResult } from './result';

type Wabt = { parseWat(name: string, text: string, features?: Record<string, boolean>): { toBinary(options: object): { buffer: Uint8Array }; destroy(): void } };

/** The SmartModule fixture `name` of test/fixtures/smartmodules, compiled (wabt, a dev dependency). */
async function smartModule(name: string): Promise<Uint8Array> {
  const dir = join(REPO, 'test', 'fixtures', 'smartmodules');
  const text = readFileSync(join(dir, `${name}.wat`), 'utf8').replace(';; @prelude', readFileSync(join(dir, 'prelude.wat'), 'utf8'));
  const wabt = await (require('wabt') as () => Promise<Wabt>)();
  const module = wabt.parseWat(`${name}.wat`, text, { bulk_memory: true });
  try {
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/** Quote-like JSON records (about 110 bytes), as the seed http-source produces. */
function quotes(count: number): { value: Uint8Array }[] {
  return Array.from({ length: count }, (_, i) => ({ value: Buffer.from(JSON.stringify({ id: i, quote: `Simplicity is prerequisite for reliability, number ${i}.`, by: 'Edsger W. Dijkstra' })) }));
}

/** One way records go to the topic: through the runtime's transform stage, or straight to the pipeline (no transforms). */
type Path = { emit(records: readonly SourceRecord[]): Promise<void>; flush(): Promise<void>; metrics: ConnectorMetrics; close(): Promise<void> };

/**
 * The runtime's path from a source's emit to the local topic (lib/runtime: the transform stage when
 * the config has transforms, then the record pipeline), for a config with `transforms` (YAML lines).
 */
async function runtimePath(store: LocalTopicStore, dir: string, topic: string, transforms: string): Promise<Path> {
  const text = `apiVersion: 0.2.0\nmeta:\n  version: 0.1.0\n  name: bench\n  type: test-connector\n  topic: ${topic}\n${transforms}`;
  const spec = parseConnectorConfig(text, { file: join(dir, 'bench.yaml'), registry: defaultRegistry });
  const metrics = createMetrics();
  await store.createTopic(topic);
  const producer = store.producer(topic);
  const pipeline = createRecordPipeline(producer, { log: silentLogger, metrics });
  const stage = await openTransformStage({ spec, topics: store, log: silentLogger, metrics, clock: systemClock, createTopic: true });
  return {
    emit: (records) => (stage ? stage.emit(records, (out) => pipeline.emit(out)) : pipeline.emit(records)),
    flush: async () => {
      await stage?.flush();
      await pipeline.flush();
    },
    metrics,
    close: async () => {
      await stage?.close();
      await producer.close();
    },
  };
}

/** records/s from emit to the local topic over `records` in batches of `batch` (median of `rounds`, after a warm-up; a fresh topic each). */
async function throughput(open: (topic: string) => Promise<Path>, records: readonly SourceRecord[], batch: number, rounds: number): Promise<number> {
  const run = async (round: number): Promise<number> => {
    const path = await open(`bench-${round}-${Math.random().toString(36).slice(2, 8)}`);
    try {
      const t0 = performance.now();
      for (let i = 0; i < records.length; i += batch) await path.emit(records.slice(i, i + batch));
      await path.flush();
      const seconds = (performance.now() - t0) / 1000;
      if (path.metrics.records !== records.length) throw new Error(`${path.metrics.records} records reached the topic, of ${records.length}`);
      return records.length / seconds;
    } finally {
      await path.close();
    }
  };
  await run(-1);
  const figures: number[] = [];
  for (let round = 0; round < rounds; round++) figures.push(await run(round));
  return figures.sort((a, b) => a - b)[Math.floor(figures.length / 2)] as number;
}

/**
 * Size of the zip each config's function runs (`artifactOf`: functions of one kind share one) after
 * `serverless package` of a service with `configs` (named `<function key>.yaml`, and `files` in configs/).
 */
async function zipSizes(configs: Record<string, string>, files: Record<string, Uint8Array>): Promise<Record<string, number>> {
  const service = serviceDir({ configs });
  try {
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(service.dir, 'configs', name), bytes);
    const result = await runServerless(service.dir, ['package'], {}, 120_000);
    if (result.code !== 0) throw new Error(`serverless package failed (${result.code}):\n${result.stdout}${result.stderr}`);
    const sizes: Record<string, number> = {};
    for (const name of Object.keys(configs)) {
      const zip = artifactOf(service.dir, name.replace(/\.yaml$/, ''));
      if (existsSync(zip)) sizes[name] = statSync(zip).size;
    }
    return sizes;
  } finally {
    service.cleanup();
  }
}

const periodic = (name: string, transforms = ''): string =>
  `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: ${name}\n  type: http-source\n  topic: quotes\nhttp:\n  endpoint: https://example.com/api/quote\n  interval: 10s\n${transforms}`;

/**
 * The Filter and Shape stages (`npm run bench -- transforms`), in ONE run, on the same quote-like
 * JSON records (~110 B):
 * - records/s from a source's emit to the local topic through the runtime (transform stage, record
 *   pipeline, local store), for a config with a jolt step (shift + default), with a SmartModule .wasm
 *   map (test fixture map.wat: upper-cases the value; on its worker thread), and without transforms
 *   (the baseline), in batches of 100 (a stream's emit) and of 1 (a poll's single record);
 * - the poller function's zip with a .wasm transform (functions/poller-full.handler) against a poller
 *   without transforms (functions/poller.handler)
 *   (`serverless package`, two configs of one service).
 * @param options.records records per throughput figure (batch size 1: a tenth), default 100,000.
 * @param options.rounds measurements per figure (median), default 3.
 */
export async function benchTransforms(options: { records?: number; rounds?: number } = {}): Promise<BenchResult[]> {
  const count = options.records ?? 100_000;
  const rounds = options.rounds ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'bench-transforms-'));
  const wasm = await smartModule('map');
  writeFileSync(join(dir, 'shout.wasm'), wasm);
  const store = openLocalTopicStore({ dataDir: dir });
  const jolt = 'transforms:\n  - uses: infinyon/jolt@0.4.1\n    with:\n      spec:\n        - {operation: shift, spec: {quote: text, by: author, id: id}}\n        - {operation: default, spec: {source: http}}\n';
  const paths = {
    none: (topic: string) => runtimePath(store, dir, topic, ''),
    jolt: (topic: string) => runtimePath(store, dir, topic, jolt),
    wasm: (topic: string) => runtimePath(store, dir, topic, 'transforms:\n  - uses: ./shout.wasm\n'),
  };
  const results: BenchResult[] = [];
  try {
    for (const [batch, records] of [
      [100, quotes(count)],
      [1, quotes(Math.max(100, Math.floor(count / 10)))],
    ] as const) {
      const none = await throughput(paths.none, records, batch, rounds);
      const joltRate = await throughput(paths.jolt, records, batch, rounds);
      const wasmRate = await throughput(paths.wasm, records, batch, rounds);
      const baseline = { name: `no transform, same records, batches of ${batch}`, value: none };
      results.push(
        { name: `emit → topic through transform infinyon/jolt (shift + default), ~110 B JSON, batches of ${batch} (${records.length} records)`, value: joltRate, unit: 'records/s', baseline, ratio: joltRate / none },
        { name: `emit → topic through a SmartModule .wasm map (worker thread), same records, batches of ${batch}`, value: wasmRate, unit: 'records/s', baseline, ratio: wasmRate / none },
      );
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const sizes = await zipSizes({ 'plain.yaml': periodic('plain'), 'shaped.yaml': periodic('shaped', 'transforms:\n  - uses: ./shout.wasm\n') }, { 'shout.wasm': wasm });
  const plain = sizes['plain.yaml'] as number;
  const shaped = sizes['shaped.yaml'] as number;
  results.push({
    name: `poller function zip with a .wasm transform (${wasm.length} B module; a config with transforms runs functions/poller-full.handler, whose bundle has the config model and the transforms engine; 1 KB = 1,024 B)`,
    value: shaped / 1024,
    unit: 'KB',
    baseline: { name: 'a poller without transforms (functions/poller.handler), same run', value: plain / 1024 },
    ratio: shaped / plain,
    target: '≤ 150 KB',
  });
  return results;
}
