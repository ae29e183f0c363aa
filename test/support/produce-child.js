'use strict';
/**
 * Child process of the multi-process topic store tests: one producer of the BUILT local topic store
 * (dist/lib/topics/local; `npm test` builds it first).
 *
 * Usage: node produce-child.js <dataDir> <topic> <producerId> <count> <seed> [padBytes]
 *   count: records to write, 0 = until killed.
 *   padBytes: bytes of padding appended to each value (default 0): with a few hundred, most batches
 *     are over 4 KiB and go to the topic's segment file, the smallest stay inline.
 *
 * Protocol: prints `ready` once the store is open, waits for one line on stdin (any text) so that
 * several children start writing at the same moment, then writes records in batches of
 * pseudo-random size 1..150 (deterministic for a seed), each batch one `send`, pausing one
 * timer tick (~1 ms) between batches like a producer with other work to do (in a tight loop,
 * SQLite's busy-wait backoff lets one writer run far ahead, so the children would barely
 * interleave). Record key = producerId; value = `<producerId>:<seq>:<batch>:<batchSize>:<padding>`, seq
 * counting records from 0 and batch counting batches from 0. Prints `done <count>` and exits 0; on error prints it to stderr, exits 1.
 */
const path = require('node:path');
const readline = require('node:readline');

const [dataDir, topic, producerId, countArg, seedArg, padArg] = process.argv.slice(2);
if (!dataDir || !topic || !producerId || countArg === undefined || seedArg === undefined) {
  process.stderr.write('usage: node produce-child.js <dataDir> <topic> <producerId> <count> <seed> [padBytes]\n');
  process.exit(2);
}
const count = Number(countArg);
const padding = '.'.repeat(Number(padArg ?? 0));
const MAX_BATCH = 150;

/** mulberry32: a tiny deterministic PRNG, so a seed always gives the same batch sizes. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function main() {
  const { openLocalTopicStore } = require(path.resolve(__dirname, '../../dist/lib/topics/local'));
  const store = openLocalTopicStore({ dataDir });
  const producer = store.producer(topic);
  const key = Buffer.from(producerId);
  const random = prng(Number(seedArg));
  process.stdout.write('ready\n');
  const lines = readline.createInterface({ input: process.stdin });
  await new Promise((resolve) => lines.once('line', resolve));
  lines.close();
  process.stdin.destroy();

  let seq = 0;
  for (let batchNo = 0; count === 0 || seq < count; batchNo++) {
    const size = Math.min(1 + Math.floor(random() * MAX_BATCH), count === 0 ? MAX_BATCH : count - seq);
    const batch = [];
    for (let i = 0; i < size; i++) batch.push({ key, value: Buffer.from(`${producerId}:${seq + i}:${batchNo}:${size}:${padding}`) });
    await producer.send(batch);
    seq += size;
    await new Promise((resolve) => setTimeout(resolve, 0)); // pacing, see the header
  }
  await producer.close();
  await store.close();
  process.stdout.write(`done ${seq}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
});
