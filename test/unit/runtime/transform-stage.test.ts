import { z } from 'zod';
import { parseConnectorConfig } from '../../../lib/config';
import { createRegistry, defaultRegistry, testConnector } from '../../../lib/connectors';
import type { SourceContext } from '../../../lib/core';
import { ErrorCode, TransformError } from '../../../lib/core/errors';
import { runConnector } from '../../../lib/runtime/runner';
import { type LocalTopicStore, openLocalTopicStore } from '../../../lib/topics/local';
import { createTransformRegistry, defaultTransforms, type TransformDefinition } from '../../../lib/transforms';
import { perRecordStep } from '../../../lib/transforms/per-record';
import { tempDir } from '../../support/cli';
import { CapturingLogger } from '../../support/source-context';
import { VirtualClock } from '../../support/virtual-clock';

/** A test transform (registered beside the built-in ones): upper-cases values, throws on values containing `pattern`. */
const failOn: TransformDefinition<z.ZodObject<{ pattern: z.ZodString }>> = {
  name: 'test/fail-on',
  kind: 'map',
  summary: 'test only',
  params: z.strictObject({ pattern: z.string() }),
  load: async () => ({
    create: ({ pattern }) =>
      perRecordStep({
        kind: 'map',
        fn: (record) => {
          const text = Buffer.from(record.value).toString();
          if (text.includes(pattern)) throw new Error(`refused "${text}"`);
          return { key: record.key, value: text.toUpperCase() };
        },
      }),
  }),
};
const transforms = createTransformRegistry([...defaultTransforms.definitions, failOn]);

/** A periodic source emitting `batches[n]` at poll n (then nothing), every 10 ms. */
function periodic(batches: string[][]): typeof testConnector {
  return {
    ...testConnector,
    mode: () => ({ kind: 'periodic', intervalMs: 10 }),
    load: async () => ({
      createSource: () => {
        let poll = 0;
        return { kind: 'periodic' as const, intervalMs: 10, poll: async (ctx: SourceContext) => ctx.emit((batches[poll++] ?? []).map((value) => ({ value }))) };
      },
    }),
  } as unknown as typeof testConnector;
}

const config = (onError: string, pattern: string, source = 'test:\n  count: 4\n  timeout: 1ms\n'): string =>
  `apiVersion: 0.2.0\nmeta:\n  name: t\n  type: test-connector\n  version: 0.1.0\n  topic: greetings\n${source}transforms:\n  - uses: test/fail-on@0.1.0\n    with: {pattern: "${pattern}"}\n    on_error: ${onError}\n`;

describe('runtime transform stage: on_error', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: LocalTopicStore;
  beforeEach(() => {
    tmp = tempDir();
    store = openLocalTopicStore({ dataDir: tmp.dir });
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  const values = async (topic: string): Promise<string[]> => (await store.consumer(topic).fetch(0, 1000)).map((record) => record.value.toString());
  const parse = (text: string, registry = defaultRegistry) => parseConnectorConfig(text, { file: 'mem.yaml', registry, transforms });

  it('should skip a failing record with `skip`: counted, logged with its position, the others produced', async () => {
    // Prepare
    const log = new CapturingLogger();

    // Act
    const result = await runConnector({ spec: parse(config('skip', '- 2')), topics: store, signal: new AbortController().signal, deps: { log }, transforms });

    // Assess
    expect(await values('greetings')).toEqual(['HELLO, FLUVIO! - 1', 'HELLO, FLUVIO! - 3', 'HELLO, FLUVIO! - 4']);
    expect(result.metrics).toMatchObject({ records: 3, transformErrors: 1, transformSkipped: 1, deadLettered: 0 });
    expect(log.find('record skipped (on_error: skip)')).toEqual([
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ step: 0, uses: 'test/fail-on@0.1.0', offset: 1, cause: 'error', err: 'refused "Hello, Fluvio! - 2"' }) }),
    ]);
    expect(await store.topicExists('greetings-dlq')).toBe(false);
  });

  it('should write a failing record with its error to <topic>-dlq with `dead-letter`, and the others to the topic', async () => {
    // Act
    const result = await runConnector({ spec: parse(config('dead-letter', '- 2')), topics: store, signal: new AbortController().signal, deps: { log: new CapturingLogger() }, transforms });

    // Assess
    expect(await values('greetings')).toEqual(['HELLO, FLUVIO! - 1', 'HELLO, FLUVIO! - 3', 'HELLO, FLUVIO! - 4']);
    expect(result.metrics).toMatchObject({ records: 3, transformErrors: 1, transformSkipped: 0, deadLettered: 1 });
    const letters = (await values('greetings-dlq')).map((value) => JSON.parse(value) as Record<string, unknown>);
    expect(letters).toEqual([
      expect.objectContaining({ connector: 't', topic: 'greetings', step: 0, uses: 'test/fail-on@0.1.0', error: 'refused "Hello, Fluvio! - 2"', cause: 'error', offset: 1, encoding: 'utf8', key: null, value: 'Hello, Fluvio! - 2' }),
    ]);
  });

  it('should stop the run with `fail` (the default) after writing the records before the failing one, and report where', async () => {
    // Prepare
    const log = new CapturingLogger();

    // Act
    const error = await runConnector({ spec: parse(config('fail', '- 3')), topics: store, signal: new AbortController().signal, deps: { log }, transforms }).catch((err: unknown) => err);

    // Assess
    expect(error).toBeInstanceOf(TransformError);
    expect(error).toMatchObject({ code: ErrorCode.TRANSFORM_FAILED, step: 0, uses: 'test/fail-on@0.1.0', offset: 2, unwritten: 1 });
    expect((error as Error).message).toContain('mem.yaml: transforms[0] (test/fail-on@0.1.0) failed on record 2 of this run');
    expect(await values('greetings')).toEqual(['HELLO, FLUVIO! - 1', 'HELLO, FLUVIO! - 2']);
    expect(log.find('transform failed on a record (on_error: fail)')).toHaveLength(1);
  });

  it('should end a periodic run on `fail` (a poll\'s transform failure is not retried at the next slot), writing the batch up to the failing record', async () => {
    // Prepare
    const registry = createRegistry([periodic([['a'], ['b', 'bad', 'c'], ['d']])]);
    const spec = parse(config('fail', 'bad', ''), registry);
    const clock = new VirtualClock();

    // Act
    const error = await runConnector({ spec, topics: store, signal: new AbortController().signal, deps: { log: new CapturingLogger(), clock }, transforms }).catch((err: unknown) => err);

    // Assess
    expect(error).toMatchObject({ code: ErrorCode.TRANSFORM_FAILED, offset: 2, unwritten: 2 });
    expect(await values('greetings')).toEqual(['A', 'B']);
  });

  it('should count the records a filter removes', async () => {
    // Prepare
    const text = `apiVersion: 0.2.0\nmeta:\n  name: t\n  type: test-connector\n  version: 0.1.0\n  topic: greetings\ntest:\n  count: 5\n  timeout: 1ms\ntransforms:\n  - uses: infinyon/regex-filter@0.2.0\n    with: {regex: "[135]$"}\n`;

    // Act
    const result = await runConnector({ spec: parse(text), topics: store, signal: new AbortController().signal, deps: { log: new CapturingLogger() }, transforms });

    // Assess
    expect(result.metrics).toMatchObject({ records: 3, filtered: 2, transformErrors: 0 });
  });
});
