import type { Command } from 'commander';
import { UsageError } from '../../core/errors';
import type { TopicRecord } from '../../core/topics';
import { type GlobalOptions, openStore, stopSignal, writeOut } from '../common';

interface ConsumeOptions extends GlobalOptions {
  fromBeginning?: boolean;
  offset?: string;
  tail?: string;
  end?: string;
  disableContinuous?: boolean;
  output: string;
}

/** Records fetched per read. */
const FETCH_BATCH = 1000;
/** How often a continuous consumer at the end of the topic looks for new records (ms). */
const POLL_MS = 100;

/**
 * Where a consumer starts, like `fluvio consume`: `-B` → 0, `-o N` → N (negative: N from the end),
 * `-T N` → N records before the end, default → the end (only new records).
 */
export function startOffset(opts: { fromBeginning?: boolean; offset?: number; tail?: number }, endOffset: number): number {
  if (opts.offset !== undefined) return opts.offset < 0 ? Math.max(0, endOffset + opts.offset) : opts.offset;
  if (opts.tail !== undefined) return Math.max(0, endOffset - opts.tail);
  if (opts.fromBeginning) return 0;
  return endOffset;
}

/** One output line for a record: the value (`raw`), or a JSON object (`json`). */
export function formatRecord(record: TopicRecord, output: 'raw' | 'json'): Buffer {
  if (output === 'json') {
    const obj = { offset: record.offset, key: record.key === null ? null : record.key.toString('utf8'), value: record.value.toString('utf8'), timestamp: record.timestamp };
    return Buffer.from(`${JSON.stringify(obj)}\n`);
  }
  return Buffer.concat([record.value, Buffer.from('\n')]);
}

function intOption(name: string, value: string | undefined, min?: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || (min !== undefined && n < min)) throw new UsageError(`${name}: expected an integer${min !== undefined ? ` ≥ ${min}` : ''}, got "${value}"`);
  return n;
}

/** `connector consume TOPIC`: prints records, like `fluvio consume`. */
export function registerConsume(program: Command): void {
  program
    .command('consume')
    .description('print the records of a topic (continuous by default, like `fluvio consume`)')
    .argument('<topic>', 'topic name')
    .option('-B, --from-beginning', 'start at the first record')
    .option('-o, --offset <offset>', 'start at this offset (negative: counted from the end)')
    .option('-T, --tail <n>', 'start <n> records before the end')
    .option('--end <offset>', 'stop after this offset (inclusive)')
    .option('-d, --disable-continuous', 'exit at the end of the topic instead of waiting for new records')
    .option('-O, --output <format>', 'raw (one value per line) or json (offset, key, value, timestamp)', 'raw')
    .action(async (topic: string, _o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ConsumeOptions>();
      if (opts.output !== 'raw' && opts.output !== 'json') throw new UsageError(`--output: expected raw or json, got "${opts.output}"`);
      const output = opts.output;
      const end = intOption('--end', opts.end, 0);
      const store = openStore(opts);
      const signal = stopSignal();
      const consumer = store.consumer(topic);
      try {
        let next = startOffset(
          { fromBeginning: opts.fromBeginning, offset: intOption('--offset', opts.offset), tail: intOption('--tail', opts.tail, 0) },
          await consumer.endOffset(),
        );
        while (!signal.aborted && (end === undefined || next <= end)) {
          const max = end === undefined ? FETCH_BATCH : Math.min(FETCH_BATCH, end - next + 1);
          const records = await consumer.fetch(next, max);
          if (records.length === 0) {
            if (opts.disableContinuous) break;
            await new Promise((r) => setTimeout(r, POLL_MS));
            continue;
          }
          await writeOut(Buffer.concat(records.map((r) => formatRecord(r, output))));
          next = records[records.length - 1]!.offset + 1;
        }
      } finally {
        await consumer.close();
        await store.close();
      }
    });
}
