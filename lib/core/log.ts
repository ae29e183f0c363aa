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

/** Deepest level of a log object that {@link redactingLogger} rewrites (deeper values are left out). */
const REDACT_DEPTH = 6;

function redactValue(value: unknown, redact: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= REDACT_DEPTH) return '[…]';
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      type: value.name,
      message: redact(value.message),
      ...(typeof code === 'string' ? { code } : {}),
      ...(value.stack ? { stack: redact(value.stack) } : {}),
      ...(value.cause !== undefined ? { cause: redactValue(value.cause, redact, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item, redact, depth + 1)]));
}

/**
 * Wraps a logger so every message and every string in a log object (error messages and stacks
 * included) goes through `redact` first: the runtime gives it a function that replaces the
 * values of the config's secrets, so e.g. `getaddrinfo ENOTFOUND <host>` never shows a host name
 * that came from `${{ secrets.HOST }}`. Children are wrapped too.
 */
export function redactingLogger(logger: Logger, redact: (text: string) => string): Logger {
  const wrap =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (first: object | string, msg?: string): void => {
      if (typeof first === 'string') logger[level](redact(first));
      else logger[level](redactValue(first, redact, 0) as object, msg === undefined ? undefined : redact(msg));
    };
  return {
    debug: wrap('debug'),
    info: wrap('info'),
    warn: wrap('warn'),
    error: wrap('error'),
    child: (bindings) => redactingLogger(logger.child(redactValue(bindings, redact, 0) as Record<string, unknown>), redact),
  } as Logger;
}
