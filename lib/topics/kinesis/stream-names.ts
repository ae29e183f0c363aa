/** How topic names map to Kinesis stream names, both ways. */
export interface StreamNaming {
  /** Stream name of a topic. */
  streamName: (topic: string) => string;
  /** Topic name of a stream, or `undefined` when the stream is not one of ours (skipped by `listTopics`). */
  topicName: (streamName: string) => string | undefined;
}

/** Characters Kinesis allows in stream names: `[a-zA-Z0-9_.-]`, 1..128 of them. */
export const STREAM_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;

/**
 * Stream name = `prefix` + topic (e.g. prefix `dev-` puts topic `cat-facts` in stream
 * `dev-cat-facts`); `listTopics` lists only the streams that start with `prefix`.
 * @example
 * openKinesisTopics({ client, ...prefixedStreamNames('dev-') });
 */
export function prefixedStreamNames(prefix: string): StreamNaming {
  return {
    streamName: (topic) => `${prefix}${topic}`,
    topicName: (stream) => (stream.startsWith(prefix) && stream.length > prefix.length ? stream.slice(prefix.length) : undefined),
  };
}
