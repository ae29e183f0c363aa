/**
 * Child process of the cold-start benchmark: `node cold-start-child.js <handler module> <result file>`.
 * A fresh process, as a Lambda cold start: `require()`s the bundled handler module (its environment,
 * given by the parent, is the function's), then makes one invocation with a schedule event at the
 * current time, and writes `{"requireMs", "invokeMs", "totalMs", "records", "polls"}` (ms from
 * `process.hrtime`) to the result file (stdout carries the handler's JSON log lines).
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface PollResultLike {
  records: number;
  polls: number;
  errors: number;
}

async function main(): Promise<void> {
  const [file, resultFile] = process.argv.slice(2);
  if (!file || !resultFile) throw new Error('usage: cold-start-child <handler module> <result file>');
  const t0 = process.hrtime.bigint();
  const { handler } = createRequire(file)(file) as { handler: (event: { time: string }, context: object) => Promise<PollResultLike> };
  const t1 = process.hrtime.bigint();
  const deadline = Date.now() + 60_000;
  const result = await handler({ time: new Date().toISOString() }, { awsRequestId: 'bench-cold-start', getRemainingTimeInMillis: () => deadline - Date.now() });
  const t2 = process.hrtime.bigint();
  const ms = (a: bigint, b: bigint): number => Number(b - a) / 1e6;
  writeFileSync(resultFile, JSON.stringify({ requireMs: ms(t0, t1), invokeMs: ms(t1, t2), totalMs: ms(t0, t2), records: result.records, polls: result.polls, errors: result.errors }));
}

main().catch((err: unknown) => {
  process.stderr.write(`cold-start child failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
