import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { type LocalTopicStore, openLocalTopicStore } from '../lib/topics/local';
import { DEFAULT_BUSY_TIMEOUT_MS } from '../lib/topics/local/schema';
import type { ProducerRecord } from '../lib/core/topics';
import type { BenchResult } from './result';

/** Value size of the main benchmark records, bytes (the targets apply to these). */
const VALUE_BYTES = 100;
/** Value size of the large-record run (a typical HTTP body), bytes; informational, no target. */
const LARGE_VALUE_BYTES = 2048;
/** Records per producer batch and per consumer fetch. */
const BATCH = 1000;

/**
 * Throughput of the local topic store against a bare better-sqlite3 table, in ONE run:
 * produce (records/s, batches of {@link BATCH}, one transaction each) and consume (records/s,
 * fetches of {@link BATCH}) of `records` records with 100-byte values and null keys, then the same
 * for `records / 10` records of 2 KiB. The baseline writes and reads the same rows in a plain rowid
 * table of another file in the same temp dir, with the same pragmas (WAL, synchronous=NORMAL, same
 * busy timeout), also one transaction per batch. Both sides are warmed up first, then measured
 * `rounds` times in alternating order (fresh topic and table each round); each figure is the
 * median. The temp dir is removed at the end.
 * Targets (100-byte values): produce ≥ 200,000 records/s, consume ≥ 500,000 records/s.
 * @param options.records records per 100-byte measurement, default 200,000.
 * @param options.rounds measurements per figure, default 3.
 */
export async function benchLocalStore(options: { records?: number; rounds?: number } = {}): Promise<BenchResult[]> {
  const records = options.records ?? 200_000;
  const rounds = options.rounds ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
  try {
    const store = openLocalTopicStore({ dataDir: dir });
    const plain = openPlainTable(join(dir, 'baseline.db'));
    try {
      const small = await compare(store, plain, 'small', makeBatches(records, VALUE_BYTES), rounds);
      const large = await compare(store, plain, 'large', makeBatches(Math.max(BATCH, Math.floor(records / 10)), LARGE_VALUE_BYTES), rounds);
      const label = (n: number, bytes: number): string => `(${bytes.toLocaleString('en-US')} B values, batches of ${BATCH.toLocaleString('en-US')}, ${n.toLocaleString('en-US')} records)`;
      const smallLabel = label(records, VALUE_BYTES);
      const largeLabel = label(large.records, LARGE_VALUE_BYTES);
      return [
        result(`local store produce ${smallLabel}`, small.store.produce, 'better-sqlite3 plain insert', small.plain.produce, '≥ 200,000 records/s'),
        result(`local store consume ${smallLabel}`, small.store.consume, 'better-sqlite3 plain select', small.plain.consume, '≥ 500,000 records/s'),
        result(`local store produce ${largeLabel}`, large.store.produce, 'better-sqlite3 plain insert', large.plain.produce),
        result(`local store consume ${largeLabel}`, large.store.consume, 'better-sqlite3 plain select', large.plain.consume),
      ];
    } finally {
      plain.db.close();
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Rates = { produce: number; consume: number };

/** Warm-up, then `rounds` alternating measurements of the store and the baseline; medians. */
async function compare(
  store: LocalTopicStore,
  plain: PlainTable,
  prefix: string,
  batches: ProducerRecord[][],
  rounds: number,
): Promise<{ records: number; store: Rates; plain: Rates }> {
  await storeRun(store, `${prefix}_warmup`, batches.slice(0, 20));
  plainRun(plain, `${prefix}_warmup`, batches.slice(0, 20));
  const storeRates: Rates[] = [];
  const plainRates: Rates[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 1) plainRates.push(plainRun(plain, `${prefix}${round}`, batches));
    storeRates.push(await storeRun(store, `${prefix}${round}`, batches));
    if (round % 2 === 0) plainRates.push(plainRun(plain, `${prefix}${round}`, batches));
  }
  return { records: batches.reduce((n, b) => n + b.length, 0), store: medianRates(storeRates), plain: medianRates(plainRates) };
}

function result(name: string, value: number, baselineName: string, baseline: number, target?: string): BenchResult {
  return { name, value, unit: 'records/s', baseline: { name: baselineName, value: baseline }, ratio: value / baseline, ...(target ? { target } : {}) };
}

function makeBatches(records: number, valueBytes: number): ProducerRecord[][] {
  const batches: ProducerRecord[][] = [];
  const now = Date.now();
  for (let start = 0; start < records; start += BATCH) {
    const batch: ProducerRecord[] = [];
    for (let i = start; i < Math.min(records, start + BATCH); i++) {
      const value = Buffer.alloc(valueBytes, i % 251);
      value.writeUInt32BE(i, 0);
      batch.push({ key: null, value, timestamp: now });
    }
    batches.push(batch);
  }
  return batches;
}

async function storeRun(store: LocalTopicStore, topic: string, batches: ProducerRecord[][]): Promise<Rates> {
  const total = batches.reduce((n, b) => n + b.length, 0);
  await store.createTopic(topic);
  const producer = store.producer(topic);
  const t0 = performance.now();
  for (const batch of batches) await producer.send(batch);
  const t1 = performance.now();
  const consumer = store.consumer(topic);
  let next = 0;
  for (;;) {
    const got = await consumer.fetch(next, BATCH);
    if (got.length === 0) break;
    next = got[got.length - 1]!.offset + 1;
  }
  const t2 = performance.now();
  if (next !== total) throw new Error(`store bench read ${next} records, wrote ${total}`);
  return { produce: rate(total, t1 - t0), consume: rate(total, t2 - t1) };
}

interface PlainTable {
  db: Database.Database;
}

/** The baseline: a bare better-sqlite3 file with the store's pragmas. */
function openPlainTable(file: string): PlainTable {
  const db = new Database(file, { timeout: DEFAULT_BUSY_TIMEOUT_MS });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return { db };
}

function plainRun({ db }: PlainTable, table: string, batches: ProducerRecord[][]): Rates {
  const total = batches.reduce((n, b) => n + b.length, 0);
  db.exec(`CREATE TABLE ${table} (seq INTEGER PRIMARY KEY, timestamp INTEGER NOT NULL, key BLOB, value BLOB NOT NULL)`);
  const insert = db.prepare(`INSERT INTO ${table} (seq, timestamp, key, value) VALUES (?, ?, ?, ?)`);
  let seq = 0;
  const insertBatch = db.transaction((batch: ProducerRecord[]) => {
    for (const r of batch) insert.run(seq++, r.timestamp, r.key, r.value);
  });
  const select = db.prepare<[number, number], [number, number, Buffer | null, Buffer]>(
    `SELECT seq, timestamp, key, value FROM ${table} WHERE seq >= ? ORDER BY seq LIMIT ?`,
  ).raw();
  const t0 = performance.now();
  for (const batch of batches) insertBatch(batch);
  const t1 = performance.now();
  let next = 0;
  for (;;) {
    const rows = select.all(next, BATCH);
    if (rows.length === 0) break;
    next = rows[rows.length - 1]![0] + 1;
  }
  const t2 = performance.now();
  if (next !== total) throw new Error(`baseline bench read ${next} rows, wrote ${total}`);
  return { produce: rate(total, t1 - t0), consume: rate(total, t2 - t1) };
}

function medianRates(all: readonly Rates[]): Rates {
  const median = (xs: number[]): number => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  return { produce: median(all.map((r) => r.produce)), consume: median(all.map((r) => r.consume)) };
}

function rate(records: number, ms: number): number {
  return (records * 1000) / ms;
}
