import type { SourceDefinition } from '../../core';
import { HttpSourceConfigSchema } from './schema';
import { httpSourceRuntime } from './runtime';
import { httpSourceWarnings } from './warnings';

export { DEFAULT_USER_AGENT, type HttpSourceConfig, HttpSourceConfigSchema } from './schema';
export { httpSourceWarnings } from './warnings';

/**
 * http-source: Fluvio's `infinyon/http-source` (apiVersion configs, section `http:`) and the legacy
 * `type: http` connector (section `parameters:`). Periodic (one request per `interval`) unless
 * `stream: true` (one long response split on `delimiter`). A legacy integer `interval` is seconds
 * (http-source before 0.3.0, FC PR #274).
 */
export const httpSource: SourceDefinition<typeof HttpSourceConfigSchema> = {
  ...httpSourceRuntime,
  schema: HttpSourceConfigSchema,
  summary: 'Polls an HTTP endpoint every interval, or splits a streaming response on a delimiter.',
  warnings: httpSourceWarnings,
};
