import { Writable } from 'node:stream';
import pino from 'pino';
import type { ConnectorMetrics } from '../core';
import type { Logger } from '../core/log';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'msg', 'connector', 'type']);

/** Human form of a byte count: `512 B`, `3.4 KiB`, `12.0 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The `connector run` display on a terminal: log lines in a readable form, with a live counters
 * line (records, bytes, errors, dropped, last poll; once a transform filtered or failed a record,
 * filtered and transform errors too) kept at the bottom of stderr.
 */
export function createTerminalReporter(
  stream: NodeJS.WriteStream,
  metrics: ConnectorMetrics,
  title: string,
  options: { level?: string; refreshMs?: number } = {},
): { log: Logger; stop(): void } {
  const status = (): string => {
    const last = metrics.lastPollAt === null ? 'never' : `${((Date.now() - metrics.lastPollAt) / 1000).toFixed(1)}s ago`;
    const transforms =
      metrics.filtered + metrics.transformErrors > 0
        ? ` | filtered ${metrics.filtered} | transform errors ${metrics.transformErrors} (skipped ${metrics.transformSkipped}, dead-lettered ${metrics.deadLettered})`
        : '';
    return `${title} | records ${metrics.records} | ${formatBytes(metrics.bytes)} | errors ${metrics.errors} | dropped ${metrics.dropped}${transforms} | last poll ${last}`;
  };
  const redraw = (): void => {
    stream.write(`\r\x1b[K${status()}`);
  };
  const sink = new Writable({
    write(chunk: Buffer, _enc, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        let text = line;
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          const extras = Object.entries(entry)
            .filter(([k]) => !SKIP.has(k))
            .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
          const time = new Date(String(entry.time ?? Date.now())).toISOString().slice(11, 19);
          text = `${time} ${LEVELS[Number(entry.level)] ?? entry.level} ${String(entry.msg ?? '')} ${extras.join(' ')}`.trimEnd();
        } catch {
          // not JSON: print as is
        }
        stream.write(`\r\x1b[K${text}\n`);
      }
      redraw();
      callback();
    },
  });
  const log = pino({ level: options.level ?? process.env.CONNECTOR_LOG ?? 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, sink);
  const timer = setInterval(redraw, options.refreshMs ?? 250);
  timer.unref();
  redraw();
  return {
    log,
    stop() {
      clearInterval(timer);
      stream.write(`\r\x1b[K${status()}\n`);
    },
  };
}
