import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AedesOptions, type AuthenticateError } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';

/** An in-process MQTT broker (aedes, MQTT 3.1.1) on a free port of 127.0.0.1. */
export interface TestBroker {
  /** `mqtt://127.0.0.1:<port>` (the same after a restart). */
  readonly url: string;
  readonly port: number;
  /** The broker of the current run (aedes), e.g. to wait for a subscription. */
  readonly aedes: Aedes;
  /**
   * Stops the broker: every connection is closed and the port refuses new ones. Sessions, their
   * subscriptions and queued messages stay in the broker's store.
   */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same store, as a broker with persistence restarts. */
  start(): Promise<void>;
  /** Resolves once a client with this id holds a subscription to `filter`. */
  subscribed(clientId: string, filter: string, timeoutMs?: number): Promise<void>;
  /** A publishing client (MQTT.js, MQTT 3.1.1), closed with the broker. */
  publisher(): Promise<MqttClient>;
  close(): Promise<void>;
}

/**
 * Starts aedes with a store (its in-memory persistence) that outlives broker runs: `stop()` then
 * `start()` is a broker restart that keeps persistent sessions (`clean: false`), their
 * subscriptions and the QoS 1 messages not yet acknowledged, as mosquitto does with
 * `persistence true`. aedes refuses MQTT 5: clients use 3.1.1.
 */
export async function startBroker(options: { credentials?: { username: string; password: string } } = {}): Promise<TestBroker> {
  const persistence = (await import('aedes-persistence')).default();
  const { credentials } = options;
  // With credentials, a client without them gets CONNACK 4 (bad user name or password).
  const authenticate: AedesOptions['authenticate'] = credentials
    ? (_client, username, password, done) => {
        const ok = username === credentials.username && password?.toString() === credentials.password;
        done(ok ? null : (Object.assign(new Error('bad user name or password'), { returnCode: 4 }) as unknown as AuthenticateError), ok);
      }
    : undefined;
  let aedes: Aedes;
  let server: Server | undefined;
  let port = 0;
  const sockets = new Set<Socket>();
  const clients: MqttClient[] = [];

  async function start(): Promise<void> {
    aedes = await Aedes.createBroker({ persistence, ...(authenticate ? { authenticate } : {}) });
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      aedes.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  }

  async function stop(): Promise<void> {
    const current = server;
    server = undefined;
    if (!current) return;
    const closing = new Promise<void>((resolve) => current.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await closing;
  }

  await start();
  return {
    get url() {
      return `mqtt://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get aedes() {
      return aedes;
    },
    stop,
    start,
    async subscribed(clientId, filter, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Without a callback the store answers with a promise (its callback form waits for a 'ready' event aedes 1.x never triggers).
        const byClient = persistence.subscriptionsByClient.bind(persistence) as unknown as (client: { id: string }) => Promise<Array<{ topic: string }>>;
        const subscriptions = await byClient({ id: clientId });
        // Stored in the session, and live on the connected client (aedes stores it, then subscribes the client).
        const live = (aedes as unknown as { clients: Record<string, { subscriptions?: Record<string, unknown> } | undefined> }).clients[clientId]?.subscriptions?.[filter];
        if ((subscriptions ?? []).some((subscription) => subscription.topic === filter) && live !== undefined) {
          await new Promise((resolve) => setImmediate(resolve));
          return;
        }
        if (Date.now() > deadline) throw new Error(`no subscription of ${clientId} to ${filter} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async publisher() {
      const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, reconnectPeriod: 0, ...(credentials ?? {}) });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.endAsync(true).catch(() => undefined)));
      await stop();
    },
  };
}
