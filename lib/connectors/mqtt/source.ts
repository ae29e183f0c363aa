import { connect, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { type ConnectorInfo, ConnectorError, type ContinuousSource, ErrorCode, fitName, RetryableError, type SessionEnd, type SourceContext } from '../../core';
import { createFormatter, type MessageFormatter } from './formatter';
import type { MqttConfig } from './schema';
import { describeBroker } from './url';

/** MQTT 3.1.1 guarantees client ids of up to 23 characters (aedes refuses longer ones by default). */
const MAX_CLIENT_ID = 23;
/** QoS 0 messages received (not yet written) before the client stops reading from the broker. */
const HIGH_WATER = 1_000;
/** Most records handed to the topic in one write. */
const MAX_BATCH = 500;
/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3) that retrying cannot fix: protocol version, identifier, credentials, authorization. */
const REFUSED_FOR_GOOD: Readonly<Record<number, string>> = {
  1: 'the broker does not accept MQTT 3.1.1',
  2: 'the broker refused the client id (set client_id)',
  4: 'bad user name or password',
  5: 'not authorized',
};

/**
 * The default client id of a connector: `connector-<name>`, cut to 23 characters with a hash
 * suffix. Stable across restarts, so the broker keeps the session (and its queued messages).
 */
export function defaultClientId(connectorName: string): string {
  return fitName(`connector-${connectorName}`, MAX_CLIENT_ID);
}

/**
 * Creates the mqtt source (continuous; deployed as a Fargate task): each session connects with
 * MQTT.js (MQTT 3.1.1, `clean: false`, a stable client id), subscribes to the topic filter at
 * `qos`, and produces every message as a record shaped by `payload_output_type` (key null).
 *
 * - At-least-once at QoS 1: a message is acknowledged (PUBACK) only after its record was accepted
 *   by the topic, through MQTT.js's `handleMessage` (one message at a time, in order). A crash or a
 *   lost connection before that leaves it unacknowledged, and the broker sends it again to the
 *   next session (the persistent session also keeps what is published while the connector is
 *   away). Duplicates are possible, losses are not.
 * - QoS 0 messages are written in batches; past {@link HIGH_WATER} unwritten messages the client
 *   stops reading, so the broker (not an in-memory queue that drops, as Fluvio's) holds the rest.
 * - The runtime owns reconnects: a session ends when the connection does (logged, counted in
 *   `metrics.errors`), and `runContinuous` connects again with backoff (`backoff_min`…`backoff_max`).
 *   MQTT.js's own reconnect is off.
 * - A broker that refuses the connection for good (CONNACK 1, 2, 4, 5) or the subscription ends the
 *   connector with a SOURCE_REFUSED error; other failures to connect are retried.
 */
export function createMqttSource(config: MqttConfig, connector: ConnectorInfo): ContinuousSource {
  const clientId = config.broker.clientId ?? config.client_id ?? defaultClientId(connector.name);
  const format = createFormatter(config.payload_output_type);
  return {
    kind: 'continuous',
    reconnect: { minMs: config.backoff_min, maxMs: config.backoff_max },
    connect: (ctx) => runSession(config, clientId, format, ctx),
  };
}

/** One connection: connect, subscribe, write messages until the connection closes or the connector stops. */
async function runSession(config: MqttConfig, clientId: string, format: MessageFormatter, ctx: SourceContext): Promise<SessionEnd> {
  const { log, metrics, signal } = ctx;
  if (signal.aborted) return { delivered: 0 };
  const broker = describeBroker(config.broker);
  const { protocol, host, port, username, password } = config.broker;
  const client = connect({
    protocol,
    host,
    port,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    clientId,
    clean: false,
    protocolVersion: 4,
    keepalive: Math.max(1, Math.ceil(config.timeout / 1000)),
    connectTimeout: config.connect_timeout,
    reconnectPeriod: 0,
    resubscribe: false,
    manualConnect: true,
  });
  const writer = new MessageWriter(ctx, format, config.filter);
  client.handleMessage = (packet, callback) => writer.handle(packet, callback);
  const errors: Error[] = [];
  client.on('error', (err) => errors.push(err));
  client.connect();
  let lost = false;
  try {
    const connack = await connected(client, signal, errors);
    if (connack === undefined) return { delivered: 0 };
    log.info({ broker, clientId, sessionPresent: connack.sessionPresent }, 'connected to the MQTT broker');
    await subscribe(client, config, broker);
    log.info({ filter: config.filter, qos: config.qos }, 'subscribed');
    const why = await Promise.race([closed(client), stopped(signal), writer.failed]);
    if (why === 'closed') {
      lost = true;
      writer.connectionLost();
      metrics.errors++;
      log.warn({ broker, error: errors.at(-1)?.message }, 'MQTT connection lost');
    }
  } catch (err) {
    if (err instanceof ConnectorError || err instanceof RetryableError || writer.failure !== undefined) throw err;
    metrics.errors++;
    log.warn({ broker, error: describeError(err) }, 'MQTT connection failed');
    throw new RetryableError(`MQTT connection to ${broker} failed: ${describeError(err)}`, { cause: err });
  } finally {
    // Writes in flight finish (their acknowledgements go out while the connection is up), then the
    // client leaves: gracefully (DISCONNECT) when it can, at once when the connection is gone.
    await writer.idle();
    await leave(client, lost || !client.connected);
  }
  if (writer.failure !== undefined) throw writer.failure;
  return { delivered: writer.delivered };
}

/**
 * Resolves with the CONNACK, or `undefined` when the connector stopped first.
 * @throws ConnectorError SOURCE_REFUSED for a refusal retrying cannot fix; the error of any other failure.
 */
function connected(client: MqttClient, signal: AbortSignal, errors: Error[]): Promise<IConnackPacket | undefined> {
  return new Promise((resolve, reject) => {
    const settle = (): void => {
      client.off('connect', onConnect);
      client.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    const onConnect = (connack: IConnackPacket): void => {
      settle();
      resolve(connack);
    };
    const onClose = (): void => {
      settle();
      const error = errors.at(-1);
      const code = (error as { code?: unknown } | undefined)?.code;
      if (typeof code === 'number' && REFUSED_FOR_GOOD[code]) {
        reject(new ConnectorError(`the MQTT broker refused the connection: ${REFUSED_FOR_GOOD[code]} (CONNACK ${code})`, ErrorCode.SOURCE_REFUSED, { cause: error }));
      } else {
        reject(error ?? new Error('the connection closed before the broker acknowledged it (connect_timeout?)'));
      }
    };
    const onAbort = (): void => {
      settle();
      resolve(undefined);
    };
    client.on('connect', onConnect);
    client.on('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Subscribes; a refused subscription ends the connector (the broker will not change its mind). */
async function subscribe(client: MqttClient, config: MqttConfig, broker: string): Promise<void> {
  const granted = await client.subscribeAsync(config.filter, { qos: config.qos as 0 | 1 });
  const grant = granted[0];
  if (grant === undefined || grant.qos === 128) {
    throw new ConnectorError(`the MQTT broker ${broker} refused the subscription to "${config.filter}" (SUBACK failure)`, ErrorCode.SOURCE_REFUSED);
  }
  if (grant.qos < config.qos) {
    throw new ConnectorError(`the MQTT broker ${broker} granted QoS ${grant.qos} for "${config.filter}", below the configured qos ${config.qos}: messages could be lost; set qos: ${grant.qos} to accept that`, ErrorCode.SOURCE_REFUSED);
  }
}

/** How long a graceful DISCONNECT may take before the connection is closed at once, ms. */
const DISCONNECT_GRACE_MS = 2_000;

/** Ends the client: gracefully (DISCONNECT) unless `force`, at once when that does not finish in time. */
async function leave(client: MqttClient, force: boolean): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), force ? 0 : DISCONNECT_GRACE_MS)));
  const ended = await Promise.race([client.endAsync(force).then(() => 'ended' as const, () => 'ended' as const), late]);
  clearTimeout(timer);
  if (ended === 'late') await client.endAsync(true).catch(() => undefined);
}

function closed(client: MqttClient): Promise<'closed'> {
  return new Promise((resolve) => client.once('close', () => resolve('closed')));
}

function stopped(signal: AbortSignal): Promise<'stopped'> {
  return new Promise((resolve) => (signal.aborted ? resolve('stopped') : signal.addEventListener('abort', () => resolve('stopped'), { once: true })));
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return code !== undefined ? `${String(code)}: ${err.message}` : err.message;
  }
  return String(err);
}

/** A received message waiting to be written, with its acknowledgement (QoS 1). */
interface Pending {
  value: string;
  ack?: () => void;
}

/**
 * Writes received messages to the topic, in order, and acknowledges each QoS 1 message once its
 * record is accepted (see {@link createMqttSource}). `failed` settles when the topic fails for good.
 */
class MessageWriter {
  delivered = 0;
  failure: unknown;
  /** Rejects when a write failed for good (the session ends with that error). */
  readonly failed: Promise<never>;
  private pending: Pending[] = [];
  private waiting: Array<() => void> = [];
  private flushing: Promise<void> | undefined;
  private rejectFailed!: (err: unknown) => void;

  constructor(
    private readonly ctx: SourceContext,
    private readonly format: MessageFormatter,
    private readonly filter: string,
  ) {
    this.failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => undefined);
  }

  /** MQTT.js's `handleMessage`: the next message is handed over only once `callback` was called. */
  handle(packet: IPublishPacket, callback: (error?: Error) => void): void {
    const qos = packet.qos ?? 0;
    // After a failure, or (QoS 1) once stopping: not acknowledged, the broker sends it again later.
    if (this.failure !== undefined || (qos > 0 && this.ctx.signal.aborted)) return;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const value = this.format(packet.topic, payload);
    if (value === undefined) {
      this.ctx.metrics.dropped++;
      this.ctx.log.warn({ mqttTopic: packet.topic, bytes: payload.length, filter: this.filter }, 'MQTT payload is not JSON (payload_output_type: json): message not produced');
      callback();
      return;
    }
    if (qos === 0) {
      this.pending.push({ value });
      if (this.pending.length < HIGH_WATER) callback();
      else this.waiting.push(() => callback());
    } else {
      this.pending.push({ value, ack: () => callback() });
    }
    this.kick();
  }

  /** The connection is gone: QoS 1 messages not written yet will come again (not acknowledged), so they are not written now. */
  connectionLost(): void {
    this.pending = this.pending.filter((message) => message.ack === undefined);
  }

  /** Resolves once every accepted message was written (or the topic failed). */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private kick(): void {
    if (this.flushing || this.pending.length === 0 || this.failure !== undefined) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      this.kick();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0 && this.failure === undefined) {
      const batch = this.pending.splice(0, MAX_BATCH);
      try {
        await this.ctx.emit(batch.map((message) => ({ key: null, value: message.value })));
      } catch (err) {
        this.failure = err;
        this.rejectFailed(err);
        return;
      }
      this.delivered += batch.length;
      for (const message of batch) message.ack?.();
      while (this.waiting.length > 0 && this.pending.length < HIGH_WATER) this.waiting.shift()!();
    }
  }
}
