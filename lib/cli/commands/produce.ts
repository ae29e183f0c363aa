import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { TopicNotFoundError } from '../../core/errors';
import type { ProducerRecord } from '../../core/topics';
import { type GlobalOptions, withStore } from '../common';

/** Lines written per transaction. */
const BATCH = 1000;

/** `connector produce TOPIC`: one record per stdin line (like `fluvio produce`). */
export function registerProduce(program: Command): void {
  program
    .command('produce')
    .description('write one record per line of standard input to a topic')
    .argument('<topic>', 'topic name')
    .action((topic: string, _o, cmd: Command) =>
      withStore(cmd.optsWithGlobals<GlobalOptions>(), async (store) => {
        if (!(await store.topicExists(topic))) throw new TopicNotFoundError(topic, `create it with \`connector topic create ${topic}\``);
        const producer = store.producer(topic);
        let batch: ProducerRecord[] = [];
        for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
          batch.push({ value: Buffer.from(line, 'utf8') });
          if (batch.length >= BATCH) {
            await producer.send(batch);
            batch = [];
          }
        }
        if (batch.length > 0) await producer.send(batch);
        await producer.close();
      }),
    );
}
