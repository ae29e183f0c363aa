import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * The MQTT broker of the MQTT benchmark (aedes, MQTT 3.1.1, in-memory sessions), in its own process
 * so that the broker does not share the event loop with the client measured. Prints `listening <port>`.
 */
async function main(): Promise<void> {
  const { Aedes } = (await import('aedes')) as typeof import('aedes');
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));
}

void main();
