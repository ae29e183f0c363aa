/** The embedded local topic store (SQLite). */
export { DATA_DIR_ENV, DEFAULT_DATA_DIR_NAME, resolveDataDir } from './data-dir';
export { LocalTopicConsumer } from './consumer';
export { LocalTopicProducer } from './producer';
export { LocalTopicStore, type LocalTopicStoreOptions, openLocalTopicStore, TOPICS_DB_FILE } from './store';
export { DEFAULT_BUSY_TIMEOUT_MS, SCHEMA_VERSION, Synchronous } from './schema';
