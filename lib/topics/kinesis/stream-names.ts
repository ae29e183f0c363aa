import { fitName } from '../../core/names';

/** How topic names map to Kinesis stream names, both ways. */
export interface StreamNaming {
  /** Stream name of a topic. */
  streamName: (topic: string) => string;
  /** Topic name of a stream, or `undefined` when the stream is not one of ours (skipped by `listTopics`). */
  topicName: (streamName: string) => string | undefined;
}

/** Characters Kinesis allows in stream names: `[a-zA-Z0-9_.-]`, 1..128 of them. */
export const STREAM_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;

/** Kinesis allows stream names of at most 128 characters. */
export const MAX_STREAM_NAME = 128;

/**
 * The Kinesis stream of a topic: `prefix + topic`, cut to 128 characters with a hash suffix when
 * longer (see `fitName`). The one naming rule: the deployment generator creates the stream under
 * this name and the runtime writes to it, so a long prefix cannot make them disagree.
 * @example streamNameOf('connectors-dev-', 'quotes') // 'connectors-dev-quotes'
 */
export function streamNameOf(prefix: string, topic: string): string {
  return fitName(prefix + topic, MAX_STREAM_NAME);
}

/**
 * Stream name = {@link streamNameOf}`(prefix, topic)` (e.g. prefix `dev-` puts topic `cat-facts` in
 * stream `dev-cat-facts`); `listTopics` lists only the streams that start with `prefix` (and not those whose
 * name was cut to 128 characters).
 * @example
 * openKinesisTopics({ client, ...prefixedStreamNames('dev-') });
 */
export function prefixedStreamNames(prefix: string): StreamNaming {
  return {
    streamName: (topic) => streamNameOf(prefix, topic),
    // A name cut by `streamNameOf` cannot be read back: such streams are not listed.
    topicName: (stream) => {
      const topic = stream.startsWith(prefix) ? stream.slice(prefix.length) : '';
      return topic !== '' && streamNameOf(prefix, topic) === stream ? topic : undefined;
    },
  };
}
