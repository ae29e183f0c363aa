/** The embedded local topic store (SQLite). */
export { DATA_DIR_ENV, DEFAULT_DATA_DIR_NAME, resolveDataDir } from './dataDir';
export { LocalTopicConsumer } from './LocalTopicConsumer';
export { LocalTopicProducer } from './LocalTopicProducer';
export { LocalTopicStore, type LocalTopicStoreOptions, openLocalTopicStore, TOPICS_DB_FILE } from './LocalTopicStore';
export { DEFAULT_BUSY_TIMEOUT_MS, SCHEMA_VERSION, Synchronous } from './schema';
