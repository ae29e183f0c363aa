import { type ConnectorDefinition, type HttpTransport, nodeHttpTransport, type Ports } from '../core';

/** A transport for connectors that did not declare `needs: ['http']`: using it is a programming error. */
function undeclared(type: string): HttpTransport {
  return () => Promise.reject(new Error(`connector type "${type}" uses HTTP but does not declare needs: ['http']`));
}

/**
 * The ports of one run: clock and log always; each port the definition `needs`, from `given`
 * (tests, the Lambda handler) or its real default; the others refuse use.
 */
export function portsFor(definition: ConnectorDefinition, given: Pick<Ports, 'clock' | 'log'> & Partial<Ports>): Ports {
  const needsHttp = definition.needs.includes('http');
  return { clock: given.clock, log: given.log, http: needsHttp ? (given.http ?? nodeHttpTransport) : undeclared(definition.type) };
}
