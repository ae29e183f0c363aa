import type { SinkDefinition } from '../../core';
import { HttpSinkConfigSchema } from './schema';

export { DEFAULT_HEADERS, DEFAULT_USER_AGENT, type HttpSinkConfig, HttpSinkConfigSchema } from './schema';

/**
 * http-sink: Fluvio's `infinyon/http-sink` (apiVersion configs, section `http:`). One request per
 * record, the record value as the body; failed requests are retried with backoff and a record that
 * still fails goes to the dead-letter topic (locally) or is reported to Lambda (deployed).
 */
export const httpSink: SinkDefinition<typeof HttpSinkConfigSchema> = {
  type: 'http-sink',
  direction: 'sink',
  section: 'http',
  schema: HttpSinkConfigSchema,
  summary: 'Sends each record of the topic to an HTTP endpoint (one request per record).',
  needs: ['http'],
  secretPlaceholders: { endpoint: 'https://secret.invalid/' },
  load: async () => ({ createSink: (await import('./sink')).createHttpSink }),
};
