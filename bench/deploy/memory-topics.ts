import type { ProducerRecord, TopicBackend, TopicInfo } from '../../lib/core/topics';

/** An in-memory topic: the records written, in order. */
export interface MemoryTopic {
  createdAt: number;
  records: ProducerRecord[];
}

/**
 * A {@link TopicBackend} that keeps records in memory, for benchmarks where topic writes are not
 * what is measured (the poll handler's slot timing). Topics must exist (or be created) before
 * producing, as on Kinesis. No consumers: read `topics` directly.
 * @param existing - topic names that exist from the start (the deployed stack created their streams).
 */
export function memoryTopics(existing: readonly string[] = []): TopicBackend & { topics: Map<string, MemoryTopic> } {
  const topics = new Map<string, MemoryTopic>(existing.map((name) => [name, { createdAt: Date.now(), records: [] }]));
  const topicOf = (name: string): MemoryTopic => {
    const topic = topics.get(name);
    if (!topic) throw new Error(`memory topic ${name} does not exist`);
    return topic;
  };
  return {
    topics,
    async createTopic(name) {
      if (topics.has(name)) return false;
      topics.set(name, { createdAt: Date.now(), records: [] });
      return true;
    },
    async topicExists(name) {
      return topics.has(name);
    },
    async listTopics(): Promise<TopicInfo[]> {
      return [...topics].map(([name, topic]) => ({ name, records: topic.records.length, createdAt: topic.createdAt }));
    },
    async deleteTopic(name) {
      return topics.delete(name);
    },
    producer(name) {
      return {
        topic: name,
        async send(records) {
          const topic = topicOf(name);
          const first = topic.records.length;
          topic.records.push(...records);
          return first;
        },
        async close() {},
      };
    },
    async close() {},
  };
}
