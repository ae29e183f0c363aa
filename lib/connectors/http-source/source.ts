import type { Source } from '../types';
import type { HttpSourceConfig } from './schema';

/** Placeholder until the http-source implementation lands. */
export function createHttpSource(_config: HttpSourceConfig): Source {
  throw new Error('http-source is not implemented yet');
}
