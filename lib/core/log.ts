import pino from 'pino';

/**
 * The logging surface used by the runtime and connectors: a subset of pino's API, so a pino logger
 * is a Logger, and tests can pass a small capturing object.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  debug(msg: string): void;
  info(obj: object, msg?: string): void;
  info(msg: string): void;
  warn(obj: object, msg?: string): void;
  warn(msg: string): void;
  error(obj: object, msg?: string): void;
  error(msg: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * Creates a JSON-lines logger (pino) writing to `destination` (a file descriptor; default 2, stderr).
 * Level from `level` or the `CONNECTOR_LOG` environment variable, default `info`.
 */
export function createJsonLogger(options: { level?: string; destination?: number | NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.CONNECTOR_LOG ?? 'info';
  const dest =
    typeof options.destination === 'object'
      ? options.destination
      : pino.destination({ dest: options.destination ?? 2, sync: true });
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}

/** A logger that discards everything. */
export const silentLogger: Logger = pino({ level: 'silent' });
