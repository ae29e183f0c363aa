import type { Source } from '../../core';
import { createPeriodicHttpSource } from './periodic';
import type { HttpSourceConfig } from './schema';
import { createStreamingHttpSource } from './stream';

/**
 * Builds the http-source for a validated config: a periodic source (`kind: 'periodic'`,
 * `intervalMs = interval`) when `stream` is false, else a continuous streaming source. See
 * {@link createPeriodicHttpSource} and {@link createStreamingHttpSource} for the behaviour, and
 * the folder's README for options and record shapes.
 *
 * @example
 * ```ts
 * const source = createHttpSource(HttpSourceConfigSchema.parse({ endpoint: 'https://example.com/api', interval: '2s' }));
 * // source.kind === 'periodic', source.intervalMs === 2000
 * ```
 */
export function createHttpSource(config: HttpSourceConfig): Source {
  return config.stream ? createStreamingHttpSource(config) : createPeriodicHttpSource(config);
}
