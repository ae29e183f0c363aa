import type { Clock } from './clock';
import type { HttpTransport } from './http';
import type { Logger } from './log';

/**
 * Side effects a connector may need besides time and logging, which every connector gets. A
 * definition lists the ones it uses in `needs`; the runtime fills exactly those (loading their
 * default implementation only then), so a connector that never speaks HTTP never loads the HTTP stack.
 */
export type PortName = 'http';

/** Every port, as the runtime hands them to connectors and tests replace them. */
export interface Ports {
  /** Time source for every wait. */
  clock: Clock;
  /** Logger bound to the connector (`connector`, `type`). */
  log: Logger;
  /** HTTP side effect (present when the definition `needs: ['http']`). */
  http: HttpTransport;
}
