import type { Command } from 'commander';
import type { ConsumerOffset } from '../../core/topics';
import { type GlobalOptions, withStore, writeOut } from '../common';

/** One row of `connector offsets`: a consumer's position and how far behind the topic's end it is. */
export interface OffsetRow {
  consumer: string;
  topic: string;
  /** Fluvio's OFFSET: the last record committed (`next - 1`), `-` when none was. */
  offset: string;
  /** Records after the committed position (end offset − next offset). */
  lag: number;
  /** Records of a batch that was in flight when the position was written (0 between batches). */
  pending: number;
  lastSeen: string;
}

/** The rows of `connector offsets` (pure: positions and the topics' end offsets in, rows out). */
export function offsetRows(offsets: readonly ConsumerOffset[], endOf: ReadonlyMap<string, number>): OffsetRow[] {
  return offsets.map((o) => ({
    consumer: o.consumer,
    topic: o.topic,
    offset: o.offset === 0 ? '-' : String(o.offset - 1),
    lag: Math.max(0, (endOf.get(o.topic) ?? o.offset) - o.offset),
    pending: o.pendingEnd === null ? 0 : Math.max(0, o.pendingEnd - o.offset),
    lastSeen: new Date(o.updatedAt).toISOString(),
  }));
}

/**
 * `connector offsets [--topic T]`: the committed positions of the consumers (sinks) of the local
 * store, like `fluvio consumer list` (CONSUMER TOPIC PARTITION OFFSET LAST SEEN), plus LAG.
 */
export function registerOffsets(program: Command): void {
  program
    .command('offsets')
    .description("show the consumers' committed offsets (where each sink resumes), like `fluvio consumer list`")
    .option('-t, --topic <topic>', 'only the consumers of this topic')
    .action((_o, cmd: Command) =>
      withStore(cmd.optsWithGlobals<GlobalOptions & { topic?: string }>(), async (store) => {
        const topic = cmd.optsWithGlobals<{ topic?: string }>().topic;
        const offsets = (await store.listConsumerOffsets()).filter((o) => topic === undefined || o.topic === topic);
        if (offsets.length === 0) return writeOut('No consumers found\n');
        const ends = new Map((await store.listTopics()).map((t) => [t.name, t.records]));
        const rows = offsetRows(offsets, ends);
        const header = ['CONSUMER', 'TOPIC', 'PARTITION', 'OFFSET', 'LAG', 'IN FLIGHT', 'LAST SEEN'];
        const cells = rows.map((r) => [r.consumer, r.topic, '0', r.offset, String(r.lag), String(r.pending), r.lastSeen]);
        const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
        const line = (c: string[]): string => ` ${c.map((v, i) => v.padEnd(widths[i] as number)).join('  ').trimEnd()}`;
        await writeOut(`${[line(header), ...cells.map(line)].join('\n')}\n`);
      }),
    );
}
