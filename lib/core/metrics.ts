import type { ConnectorMetrics } from './connector';

/** Fresh, zeroed {@link ConnectorMetrics}. */
export function createMetrics(): ConnectorMetrics {
  return { records: 0, bytes: 0, polls: 0, errors: 0, dropped: 0, lastPollAt: null };
}
