import type { Command } from 'commander';
import { ConnectorError, ErrorCode, TopicNotFoundError, UsageError } from '../../core/errors';
import { TopicNameSchema } from '../../schema/fields';
import { type GlobalOptions, withStore, writeOut } from '../common';

/**
 * Checks a topic name given on the command line with the rule configs follow (`TopicNameSchema`:
 * Fluvio's topic rules, also valid Kinesis stream names).
 * @throws UsageError (exit 2) naming the rule.
 */
export function assertTopicName(name: string): void {
  const result = TopicNameSchema.safeParse(name);
  if (!result.success) throw new UsageError(`invalid topic name ${JSON.stringify(name)}: ${result.error.issues[0]?.message ?? 'not a topic name'}`);
}

/** `connector topic create|list|delete` on the local store (like `fluvio topic`). */
export function registerTopic(program: Command): void {
  const topic = program.command('topic').description('manage topics of the local store');

  topic
    .command('create')
    .argument('<name>', 'topic name')
    .description('create a topic (1-63 lower-case letters, digits or "-", as in configs)')
    .action((name: string, _o, cmd: Command) => {
      assertTopicName(name);
      return withStore(cmd.optsWithGlobals<GlobalOptions>(), async (store) => {
        if (!(await store.createTopic(name))) throw new ConnectorError(`Topic "${name}" already exists`, ErrorCode.TOPIC_EXISTS);
        await writeOut(`topic "${name}" created\n`);
      });
    });

  topic
    .command('list')
    .description('list topics with their record counts')
    .action((_o, cmd: Command) =>
      withStore(cmd.optsWithGlobals<GlobalOptions>(), async (store) => {
        const topics = await store.listTopics();
        if (topics.length === 0) return writeOut('No topics found\n');
        const width = Math.max(4, ...topics.map((t) => t.name.length));
        const lines = [` ${'NAME'.padEnd(width)}  RECORDS  CREATED`];
        for (const t of topics) lines.push(` ${t.name.padEnd(width)}  ${String(t.records).padStart(7)}  ${new Date(t.createdAt).toISOString()}`);
        await writeOut(`${lines.join('\n')}\n`);
      }),
    );

  topic
    .command('delete')
    .argument('<name>', 'topic name')
    .description('delete a topic and its records')
    .action((name: string, _o, cmd: Command) =>
      withStore(cmd.optsWithGlobals<GlobalOptions>(), async (store) => {
        if (!(await store.deleteTopic(name))) throw new TopicNotFoundError(name);
        await writeOut(`topic "${name}" deleted\n`);
      }),
    );
}
