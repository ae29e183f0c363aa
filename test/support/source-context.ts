import type { ConnectorMetrics, SourceContext, SourceRecord } from '../../lib/core';
import { systemClock, type Clock } from '../../lib/core/clock';
import { nodeHttpTransport, type HttpTransport } from '../../lib/core/http';
import type { Logger } from '../../lib/core/log';
import { createMetrics } from '../../lib/core/metrics';

/** One captured log call. */
export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  /** The message (`''` when only an object was logged). */
  readonly msg: string;
  /** The object logged with the message, merged over the bindings of `child()` loggers. */
  readonly fields: Record<string, unknown>;
}

/** A {@link Logger} that keeps every call in `entries` (shared with its children). */
export class CapturingLogger implements Logger {
  constructor(
    readonly entries: LogEntry[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  debug(a: object | string, msg?: string): void {
    this.push('debug', a, msg);
  }
  info(a: object | string, msg?: string): void {
    this.push('info', a, msg);
  }
  warn(a: object | string, msg?: string): void {
    this.push('warn', a, msg);
  }
  error(a: object | string, msg?: string): void {
    this.push('error', a, msg);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new CapturingLogger(this.entries, { ...this.bindings, ...bindings });
  }

  /** Entries whose message contains `text` (any level). */
  find(text: string): LogEntry[] {
    return this.entries.filter((e) => e.msg.includes(text));
  }

  private push(level: LogEntry['level'], a: object | string, msg?: string): void {
    if (typeof a === 'string') this.entries.push({ level, msg: a, fields: { ...this.bindings } });
    else this.entries.push({ level, msg: msg ?? '', fields: { ...this.bindings, ...(a as Record<string, unknown>) } });
  }
}

/** Options of {@link createSourceContext}; everything has a real or collecting default. */
export interface SourceContextOptions {
  /** Time source; default the real `systemClock`. Pass a `VirtualClock` to record sleeps. */
  clock?: Clock;
  /** HTTP transport; default the real `nodeHttpTransport`. */
  http?: HttpTransport;
  /**
   * Called with each batch before it is collected, e.g. to make the topic fail (throw) or slow
   * (await something). Default: nothing.
   */
  onEmit?: (records: readonly SourceRecord[]) => void | Promise<void>;
}

/** A {@link SourceContext} plus handles on everything it collects. */
export interface TestSourceContext {
  readonly ctx: SourceContext;
  /** Every emitted record, in order (only batches whose `onEmit` did not throw). */
  readonly records: SourceRecord[];
  /** Every `emit` call's records, one array per call. */
  readonly batches: SourceRecord[][];
  readonly log: CapturingLogger;
  readonly metrics: ConnectorMetrics;
  /** Aborting it aborts `ctx.signal`. */
  readonly controller: AbortController;
  readonly clock: Clock;
}

/**
 * Builds a {@link SourceContext} for source tests: `emit` collects records, the logger captures
 * entries, metrics start at zero, and `controller.abort()` stops the source.
 *
 * @example
 * ```ts
 * const t = createSourceContext({ clock: new VirtualClock() });
 * await source.poll(t.ctx);
 * expect(t.records.map(recordText)).toEqual(['hello']);
 * ```
 */
export function createSourceContext(options: SourceContextOptions = {}): TestSourceContext {
  const records: SourceRecord[] = [];
  const batches: SourceRecord[][] = [];
  const log = new CapturingLogger();
  const metrics = createMetrics();
  const controller = new AbortController();
  const clock = options.clock ?? systemClock;
  const ctx: SourceContext = {
    signal: controller.signal,
    async emit(batch) {
      await options.onEmit?.(batch);
      batches.push([...batch]);
      records.push(...batch);
    },
    log,
    clock,
    http: options.http ?? nodeHttpTransport,
    metrics,
  };
  return { ctx, records, batches, log, metrics, controller, clock };
}

/** A record value as text (UTF-8 decoding when it is bytes). */
export function recordText(record: SourceRecord): string {
  return typeof record.value === 'string' ? record.value : Buffer.from(record.value).toString('utf8');
}

/** A record value as bytes (UTF-8 encoding when it is a string). */
export function recordBytes(record: SourceRecord): Buffer {
  return typeof record.value === 'string' ? Buffer.from(record.value, 'utf8') : Buffer.from(record.value);
}
