/** URL schemes of an MQTT broker: plain TCP (`mqtt`, `tcp`) or TLS (`mqtts`, `ssl`, `tls`), as Fluvio's rumqttc reads them. */
export const MQTT_SCHEMES = ['mqtt', 'tcp', 'mqtts', 'ssl', 'tls'] as const;

/** Default MQTT port per transport. */
const DEFAULT_PORT = { tcp: 1883, tls: 8883 } as const;

/** A broker address, parsed from `url` (or a bare host, as Fluvio's legacy `mqtt-url` was). */
export interface BrokerAddress {
  /** `mqtt` or `mqtts` (MQTT.js's names). */
  protocol: 'mqtt' | 'mqtts';
  host: string;
  port: number;
  /** From the URL's user info (percent-decoded); a secret when present. */
  username?: string;
  password?: string;
  /** From a `client_id` query parameter (Fluvio appends one unless the URL has it). */
  clientId?: string;
}

/** What an invalid broker URL is told. */
export const BROKER_URL_RULE = 'expected an mqtt:// or mqtts:// URL such as "mqtt://broker.example.com:1883" (or a host name)';

/**
 * Parses a broker URL: `mqtt://[user:password@]host[:port][?client_id=ID]`, `mqtts://…` for TLS
 * (also `tcp://`, `ssl://`, `tls://`), or a bare `host[:port]` (the legacy `mqtt-url: mqtt.hsl.fi`
 * of Fluvio's seed config, port 1883).
 * @returns the address, or a reason when `text` is not a broker URL.
 */
export function parseBrokerUrl(text: string): BrokerAddress | { error: string } {
  const trimmed = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `mqtt://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { error: BROKER_URL_RULE };
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (!(MQTT_SCHEMES as readonly string[]).includes(scheme)) {
    const hint = scheme === 'ws' || scheme === 'wss' ? ' (MQTT over WebSocket is not supported)' : '';
    return { error: `unsupported scheme "${scheme}://"${hint}, ${BROKER_URL_RULE}` };
  }
  if (url.hostname === '') return { error: `no host, ${BROKER_URL_RULE}` };
  if (url.pathname !== '' && url.pathname !== '/') return { error: `unexpected path "${url.pathname}", ${BROKER_URL_RULE}` };
  const tls = scheme === 'mqtts' || scheme === 'ssl' || scheme === 'tls';
  const clientId = url.searchParams.get('client_id') ?? undefined;
  return {
    protocol: tls ? 'mqtts' : 'mqtt',
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (tls ? DEFAULT_PORT.tls : DEFAULT_PORT.tcp) : Number(url.port),
    ...(url.username !== '' ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
    ...(clientId !== undefined && clientId !== '' ? { clientId } : {}),
  };
}

/** The address for logs: scheme, host and port only (never the credentials). */
export function describeBroker(address: BrokerAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${address.protocol}://${host}:${address.port}`;
}

/**
 * Problems of an MQTT topic filter (MQTT 3.1.1 §4.7): empty, a NUL character, `#` not alone as
 * the last level, `+` not alone in its level.
 * @returns the problem, or `undefined` for a valid filter (`sensors/+/temp`, `/hfp/v2/journey/#`).
 */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'expected a topic filter such as "sensors/+/temperature" or "devices/#"';
  if (filter.includes('\u0000')) return 'a topic filter cannot contain a NUL character';
  if (Buffer.byteLength(filter) > 65_535) return 'a topic filter is at most 65535 bytes';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as string;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return 'the multi-level wildcard "#" must be a whole level, and the last one (e.g. "devices/#")';
    if (level.includes('+') && level !== '+') return 'the single-level wildcard "+" must be a whole level (e.g. "sensors/+/temperature")';
  }
  return undefined;
}
