import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { type LocalTopicStore, openLocalTopicStore, TOPICS_DB_FILE } from '../../../lib/topics/local';
import { SEGMENTS_DIR } from '../../../lib/topics/local/segments';
import type { TopicConsumer, TopicRecord } from '../../../lib/core/topics';
import { waitFor } from '../../support/wait-for';

const BUILT_STORE = resolve(__dirname, '../../../dist/lib/topics/local/index.js');
const CHILD = resolve(__dirname, '../../support/produce-child.js');
const TOPIC = 'shared';

interface Child {
  proc: ChildProcess;
  out: { stdout: string; stderr: string };
  exit: Promise<number | null>;
}

/** Starts produce-child.js (see its header for the protocol). `count` 0 = until killed; `pad` bytes of padding per value. */
function startProducer(dataDir: string, id: string, count: number, seed: number, pad: number): Child {
  const proc = spawn(process.execPath, [CHILD, dataDir, TOPIC, id, String(count), String(seed), String(pad)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  proc.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exit = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, out, exit };
}

/** Waits until every child has opened the store, then lets them all write at once. */
async function startTogether(children: Child[]): Promise<void> {
  await waitFor(() => children.every((c) => c.out.stdout.includes('ready') || c.proc.exitCode !== null), 10_000);
  for (const c of children) expect({ ready: c.out.stdout.includes('ready'), stderr: c.out.stderr }).toEqual({ ready: true, stderr: '' });
  for (const c of children) c.proc.stdin!.end('go\n');
}

/** A parsed record value of produce-child.js. */
interface Produced {
  offset: number;
  producer: string;
  key: string | null;
  seq: number;
  batch: number;
  batchSize: number;
  padding: number;
}

function parse(record: TopicRecord): Produced {
  const [producer, seq, batch, batchSize, padding] = record.value.toString('utf8').split(':');
  return {
    offset: record.offset,
    producer: producer!,
    key: record.key?.toString('utf8') ?? null,
    seq: Number(seq),
    batch: Number(batch),
    batchSize: Number(batchSize),
    padding: padding!.length,
  };
}

async function readAll(consumer: TopicConsumer): Promise<TopicRecord[]> {
  const all: TopicRecord[] = [];
  for (;;) {
    const batch = await consumer.fetch(all.length, 5000);
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/**
 * Asserts what the store promises for any mix of concurrent producers: offsets exactly 0..N-1;
 * per producer, sequence numbers 0..k-1 each exactly once and in order; every batch complete.
 * @returns records per producer.
 */
function assertConsistent(records: TopicRecord[], pad: number): Map<string, number> {
  expect(records.map((r) => r.offset)).toEqual([...Array(records.length).keys()]);
  const perProducer = new Map<string, Produced[]>();
  for (const p of records.map(parse)) {
    expect(p.key).toBe(p.producer);
    expect(p.padding).toBe(pad);
    const list = perProducer.get(p.producer) ?? [];
    list.push(p);
    perProducer.set(p.producer, list);
  }
  const counts = new Map<string, number>();
  for (const [producer, produced] of perProducer) {
    expect(produced.map((p) => p.seq)).toEqual([...Array(produced.length).keys()]);
    const batches = new Map<number, Produced[]>();
    for (const p of produced) {
      const members = batches.get(p.batch) ?? [];
      members.push(p);
      batches.set(p.batch, members);
    }
    for (const members of batches.values()) {
      expect(members.length).toBe(members[0]!.batchSize);
      // A batch is one transaction: its records are adjacent offsets.
      expect(members.at(-1)!.offset - members[0]!.offset).toBe(members.length - 1);
    }
    counts.set(producer, produced.length);
  }
  return counts;
}

/** Batches of each store layout: without padding every batch stays inline in its row; with 300 bytes a value, most go to a segment file. */
/**
 * Asserts which layout the run really used: without padding most batches stay inline in their row (the
 * largest, over 4 KiB, go to the segment file); with padding most go to the segment file.
 */
function expectLayout(dataDir: string, pad: number): void {
  const db = new Database(join(dataDir, TOPICS_DB_FILE), { readonly: true });
  try {
    const [inline, inSegments] = db.prepare<[], [number, number]>('SELECT count(*) FILTER (WHERE length IS NULL), count(length) FROM batches_1').raw().get()!;
    expect({ mostlyInline: inline > inSegments, files: readdirSync(join(dataDir, SEGMENTS_DIR, '1')).length }).toEqual({ mostlyInline: pad === 0, files: 1 });
  } finally {
    db.close();
  }
}

describe.each([
  { layout: 'short values, most batches inline', pad: 0 },
  { layout: '300-byte padded values, most batches in segment files', pad: 300 },
])('Local topic store: several processes on one topic ($layout)', ({ pad }) => {
  let dir: string;
  let store: LocalTopicStore;
  const children: Child[] = [];

  beforeAll(() => {
    if (!existsSync(BUILT_STORE)) throw new Error(`${BUILT_STORE} is missing: run \`npm run build\` (npm test does it) before the integration tests`);
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'store-multi-'));
    store = openLocalTopicStore({ dataDir: dir });
    await store.createTopic(TOPIC);
  });

  afterEach(async () => {
    for (const c of children.splice(0)) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should give two concurrent producers exactly offsets 0..N-1 while a consumer reads without gaps', async () => {
    // Prepare
    const perChild = 5000;
    const total = 2 * perChild;
    children.push(startProducer(dir, 'p1', perChild, 1, pad), startProducer(dir, 'p2', perChild, 2, pad));
    const consumer = store.consumer(TOPIC);
    const seen: TopicRecord[] = [];
    const violations: string[] = [];
    const endsWhileProducing = new Set<number>();

    // Act
    await startTogether(children);
    await waitFor(async () => {
      const end = await consumer.endOffset();
      const next = seen.length;
      const batch = await consumer.fetch(next, 700);
      batch.forEach((r, i) => r.offset !== next + i && violations.push(`fetch(${next}) returned offset ${r.offset} at position ${i}`));
      if (batch.length < Math.min(700, end - next)) violations.push(`endOffset was ${end} but fetch(${next}) returned ${batch.length} record(s)`);
      if (end > 0 && end < total) endsWhileProducing.add(end);
      seen.push(...batch);
      return seen.length >= total || violations.length > 0;
    }, 20_000, 1);
    const exitCodes = await Promise.all(children.map((c) => c.exit));

    // Assess
    expect(violations).toEqual([]);
    expect(exitCodes).toEqual([0, 0]);
    expect(children.map((c) => c.out.stdout.trim().split('\n').at(-1))).toEqual([`done ${perChild}`, `done ${perChild}`]);
    const all = await readAll(store.consumer(TOPIC));
    expect(all).toHaveLength(total);
    expect(await consumer.endOffset()).toBe(total);
    expect(Object.fromEntries(assertConsistent(all, pad))).toEqual({ p1: perChild, p2: perChild });
    expectLayout(dir, pad);
    const asText = (records: TopicRecord[]): string[] => records.map((r) => `${r.offset}:${r.key?.toString()}:${r.value.toString()}`);
    expect(asText(seen)).toEqual(asText(all));
    // The run really was concurrent: the producers' batches interleave, and the consumer read mid-way.
    const switches = all.filter((r, i) => i > 0 && parse(r).producer !== parse(all[i - 1]!).producer).length;
    expect(switches).toBeGreaterThan(10);
    expect(endsWhileProducing.size).toBeGreaterThan(1);
  });

  it('should keep every committed batch whole when producer processes are killed while writing', async () => {
    // Prepare
    children.push(startProducer(dir, 'k1', 0, 3, pad), startProducer(dir, 'k2', 0, 4, pad));
    const consumer = store.consumer(TOPIC);
    await startTogether(children);

    // Act
    await waitFor(async () => (await consumer.endOffset()) >= 3000, 10_000);
    children[0]!.proc.kill('SIGKILL');
    await children[0]!.exit;
    const afterFirstKill = await consumer.endOffset();
    await waitFor(async () => (await consumer.endOffset()) >= afterFirstKill + 3000, 10_000);
    children[1]!.proc.kill('SIGKILL');
    await children[1]!.exit;
    await store.close();
    store = openLocalTopicStore({ dataDir: dir });

    // Assess
    const all = await readAll(store.consumer(TOPIC));
    expect(all.length).toBe(await store.consumer(TOPIC).endOffset());
    const counts = assertConsistent(all, pad);
    expectLayout(dir, pad);
    expect([...counts.keys()].sort()).toEqual(['k1', 'k2']);
    expect(counts.get('k2')!).toBeGreaterThan(0);
    expect(await store.producer(TOPIC).send([{ value: Buffer.from('after') }])).toBe(all.length);
  });
});
