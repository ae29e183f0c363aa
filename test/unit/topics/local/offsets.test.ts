import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TopicNotFoundError } from '../../../../lib/core/errors';
import { type LocalTopicStore, openLocalTopicStore, SCHEMA_VERSION, TOPICS_DB_FILE } from '../../../../lib/topics/local';

const NOW = 1_700_000_000_000;

/** The version-1 layout (before consumer offsets), as the previous release created it. */
const V1 = `
CREATE TABLE topics (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, next_offset INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
CREATE TABLE records (topic_id INTEGER NOT NULL, "offset" INTEGER NOT NULL, timestamp INTEGER NOT NULL, key BLOB, value BLOB NOT NULL, PRIMARY KEY (topic_id, "offset"));
`;

describe('Class: LocalTopicStore, consumer offsets', () => {
  let dir: string;
  let store: LocalTopicStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-offsets-'));
    store = openLocalTopicStore({ dataDir: join(dir, 'data'), now: () => NOW });
    await store.createTopic('events');
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should have no committed position for a consumer that never committed', async () => {
    // Act
    const position = await store.consumer('events').committed('sink-a');

    // Assess
    expect(position).toBeUndefined();
  });

  it('should keep each consumer\'s committed position and pending batch, across store connections', async () => {
    // Prepare
    await store.consumer('events').commit('sink-a', 40, 50);
    await store.consumer('events').commit('sink-b', 7);

    // Act
    const other = openLocalTopicStore({ dataDir: join(dir, 'data') });
    const a = await other.consumer('events').committed('sink-a');
    const b = await other.consumer('events').committed('sink-b');
    await other.close();

    // Assess
    expect(a).toEqual({ consumer: 'sink-a', topic: 'events', offset: 40, pendingEnd: 50, updatedAt: NOW });
    expect(b).toEqual({ consumer: 'sink-b', topic: 'events', offset: 7, pendingEnd: null, updatedAt: NOW });
  });

  it('should replace a position on the next commit', async () => {
    // Prepare
    const consumer = store.consumer('events');
    await consumer.commit('sink-a', 40, 50);

    // Act
    await consumer.commit('sink-a', 50);

    // Assess
    expect(await consumer.committed('sink-a')).toMatchObject({ offset: 50, pendingEnd: null });
  });

  it('should list every position by topic and consumer', async () => {
    // Prepare
    await store.createTopic('alpha');
    await store.consumer('events').commit('z-sink', 3);
    await store.consumer('events').commit('a-sink', 1);
    await store.consumer('alpha').commit('m-sink', 2);

    // Act
    const listed = await store.listConsumerOffsets();

    // Assess
    expect(listed.map((o) => `${o.topic}/${o.consumer}=${o.offset}`)).toEqual(['alpha/m-sink=2', 'events/a-sink=1', 'events/z-sink=3']);
  });

  it('should delete a topic\'s positions with the topic, so a re-created topic starts with none', async () => {
    // Prepare
    await store.consumer('events').commit('sink-a', 40);

    // Act
    await store.deleteTopic('events');
    await store.createTopic('events');

    // Assess
    expect(await store.consumer('events').committed('sink-a')).toBeUndefined();
    expect(await store.listConsumerOffsets()).toEqual([]);
  });

  it('should refuse to commit to a topic that does not exist', async () => {
    // Act
    const commit = store.consumer('missing').commit('sink-a', 1);

    // Assess
    await expect(commit).rejects.toBeInstanceOf(TopicNotFoundError);
  });

  it('should upgrade a version-1 store in place: its records kept, offsets usable', async () => {
    // Prepare: a store file as the previous release wrote it
    const oldDir = join(dir, 'old');
    mkdirSync(oldDir);
    const raw = new Database(join(oldDir, TOPICS_DB_FILE));
    raw.exec(V1);
    raw.prepare('INSERT INTO topics (name, next_offset, created_at) VALUES (?, 1, ?)').run('legacy', NOW);
    raw.prepare('INSERT INTO records (topic_id, "offset", timestamp, key, value) VALUES (1, 0, ?, NULL, ?)').run(NOW, Buffer.from('kept'));
    raw.pragma('user_version = 1');
    raw.close();

    // Act
    const upgraded = openLocalTopicStore({ dataDir: oldDir });
    const records = await upgraded.consumer('legacy').fetch(0, 10);
    await upgraded.consumer('legacy').commit('sink-a', 1);
    const position = await upgraded.consumer('legacy').committed('sink-a');
    await upgraded.close();
    const check = new Database(join(oldDir, TOPICS_DB_FILE), { readonly: true });
    const version = check.pragma('user_version', { simple: true });
    check.close();

    // Assess
    expect(records.map((r) => r.value.toString())).toEqual(['kept']);
    expect(position).toMatchObject({ offset: 1 });
    expect(version).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(4);
  });
});
