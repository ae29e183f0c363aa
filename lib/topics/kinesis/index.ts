/** Topics stored as Kinesis Data Streams (deployment backend). See README.md. */
export { isTransientAwsError } from './aws-errors';
export { KinesisTopicBackend, type KinesisStreamMode, type KinesisTopicsOptions, openKinesisTopics } from './backend';
export { createKinesisClient, type KinesisClientOptions } from './client';
export { KinesisLimits } from './limits';
export { fallbackPartitionKey, partitionKeyFromBytes, partitionKeyOf } from './partition-key';
export { type KinesisProducerOptions, type KinesisRetryOptions, KinesisTopicProducer } from './producer';
export { MAX_STREAM_NAME, prefixedStreamNames, STREAM_NAME_PATTERN, streamNameOf, type StreamNaming } from './stream-names';
