import { readFileSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ConnectorError, ErrorCode } from '../../core/errors';
import type { SmartModuleKind } from '../definition';
import { SMARTMODULE_VERSION } from './abi';
import { limitMemory, WASM_PAGE_BYTES } from './limits';
import { smartModuleWorker } from './worker-main';

/**
 * Entry points of a SmartModule, in the order fluvio-smartengine looks for them
 * (`engine/common/transforms/mod.rs` `create_transform`): the first one present decides the kind.
 */
export const ENTRY_POINTS: readonly (readonly [string, SmartModuleKind])[] = [
  ['filter', 'filter'],
  ['map', 'map'],
  ['filter_map', 'filter-map'],
  ['array_map', 'array-map'],
  ['aggregate', 'aggregate'],
];

/** A compiled SmartModule and what its exports say about it. */
export interface LoadedModule {
  readonly path: string;
  readonly module: WebAssembly.Module;
  readonly kind: SmartModuleKind;
  /** The export to call for records (`filter`, `map`, …). */
  readonly entry: string;
  readonly hasInit: boolean;
  /** It imports WASI (`wasi_snapshot_preview1`): `smdk build` targets wasm32-wasip1 by default. */
  readonly wasi: boolean;
  readonly maxMemoryBytes: number;
}

const compiled = new Map<string, Promise<LoadedModule>>();

/**
 * Reads, caps (see `limitMemory`) and compiles a SmartModule file, and checks it is one: exports
 * `memory`, `alloc` and an entry point, imports nothing but `copy_records` and WASI (what
 * fluvio-smartengine's linker provides, `engine/wasmtime/state.rs`). Compiled modules are cached
 * per file (path, size, mtime) and limit, so a Lambda container compiles a module once.
 * @throws ConnectorError TRANSFORM_INVALID_MODULE naming the file and the problem.
 */
export function loadSmartModule(path: string, maxMemoryBytes: number): Promise<LoadedModule> {
  let stamp: string;
  try {
    const stat = statSync(path);
    stamp = `${path}:${stat.size}:${stat.mtimeMs}:${maxMemoryBytes}`;
  } catch (err) {
    return Promise.reject(invalid(path, `cannot read it: ${(err as Error).message}`));
  }
  let loading = compiled.get(stamp);
  if (!loading) {
    loading = compile(path, maxMemoryBytes);
    compiled.set(stamp, loading);
    loading.catch(() => compiled.delete(stamp));
  }
  return loading;
}

function invalid(path: string, problem: string): ConnectorError {
  return new ConnectorError(`SmartModule ${path}: ${problem}`, ErrorCode.TRANSFORM_INVALID_MODULE);
}

async function compile(path: string, maxMemoryBytes: number): Promise<LoadedModule> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(limitMemory(readFileSync(path), maxMemoryBytes));
  } catch (err) {
    throw invalid(path, (err as Error).message);
  }
  const exported = new Map(WebAssembly.Module.exports(module).map((entry) => [entry.name, entry.kind]));
  const found = ENTRY_POINTS.find(([name]) => exported.get(name) === 'function');
  if (!found) throw invalid(path, `it exports none of the SmartModule entry points (${ENTRY_POINTS.map(([name]) => name).join(', ')})`);
  if (exported.get('memory') !== 'memory') throw invalid(path, 'it does not export its memory as "memory"');
  if (exported.get('alloc') !== 'function') throw invalid(path, 'it does not export "alloc" (fluvio-smartmodule provides it)');
  const imports = WebAssembly.Module.imports(module);
  const foreign = imports.filter((entry) => !(entry.kind === 'function' && (entry.name === 'copy_records' || entry.module === 'wasi_snapshot_preview1')));
  if (foreign.length > 0) {
    throw invalid(path, `it imports ${foreign.map((entry) => `${entry.module}.${entry.name} (${entry.kind})`).join(', ')}, which no SmartModule host provides (only copy_records and WASI)`);
  }
  if (!imports.some((entry) => entry.name === 'copy_records')) throw invalid(path, 'it does not import "copy_records", through which a SmartModule returns its records');
  return {
    path,
    module,
    kind: found[1],
    entry: found[0],
    hasInit: exported.get('init') === 'function',
    wasi: imports.some((entry) => entry.module === 'wasi_snapshot_preview1'),
    maxMemoryBytes,
  };
}

/** A call that did not complete: the module trapped, or ran past its time limit. */
export class SmartModuleCallError extends Error {
  constructor(
    message: string,
    /** `trap`: the module trapped (or its worker died); `timeout`: it ran past its time limit and was stopped. */
    readonly kind: 'trap' | 'timeout',
  ) {
    super(message);
    this.name = 'SmartModuleCallError';
  }
}

/** What an entry point returned: its code and the bytes it passed to `copy_records` (or null). */
export interface CallResult {
  code: number;
  output: Uint8Array | null;
}

type WorkerReply = { type: 'ready' } | { type: 'failed'; message: string } | { type: 'result'; code: number; output: Uint8Array | null } | { type: 'trap'; message: string; memoryBytes: number };

const WORKER_SOURCE = `(${smartModuleWorker.toString()})()`;

/** Longest a worker may take to start and instantiate its module (a `start` function could loop), ms. */
const INSTANTIATE_TIMEOUT_MS = 30_000;

/**
 * One instance of a SmartModule, on its own worker thread. Calls are serial. A call that traps or
 * runs past `timeoutMs` rejects with a {@link SmartModuleCallError}; the worker is then gone (after
 * a timeout it is terminated), and {@link start} makes a fresh instance.
 */
export class SmartModuleInstance {
  private worker: Worker | undefined;
  private waiting: ((reply: WorkerReply | { type: 'exit'; reason: string }) => void) | undefined;

  constructor(
    readonly loaded: LoadedModule,
    private readonly timeoutMs: number,
  ) {}

  /** Starts (or restarts) the instance. @throws ConnectorError TRANSFORM_INVALID_MODULE when it cannot be instantiated. */
  async start(): Promise<void> {
    await this.close();
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: this.loaded.module, version: SMARTMODULE_VERSION, wasi: this.loaded.wasi } });
    this.worker = worker;
    // Events of a worker that was replaced or stopped (a timeout, a trap) must not answer the next one.
    const current = (): boolean => this.worker === worker;
    worker.on('message', (reply: WorkerReply) => {
      if (current()) this.settle(reply);
    });
    worker.on('error', (err) => {
      if (current()) this.settle({ type: 'exit', reason: err.message });
    });
    worker.on('exit', (code) => {
      if (!current()) return;
      this.worker = undefined;
      this.settle({ type: 'exit', reason: `its worker exited (${code})` });
    });
    // Starting a thread and instantiating is not the module's call: it gets its own, wider limit.
    const reply = await this.next(Math.max(this.timeoutMs, INSTANTIATE_TIMEOUT_MS), 'instantiating it');
    if (reply.type !== 'ready') {
      await this.close();
      throw invalid(this.loaded.path, `cannot instantiate it: ${reply.type === 'failed' ? reply.message : reply.type === 'exit' ? reply.reason : 'unexpected reply'}`);
    }
    worker.unref();
  }

  private settle(reply: WorkerReply | { type: 'exit'; reason: string }): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(reply);
  }

  private next(timeoutMs: number, doing: string): Promise<WorkerReply | { type: 'exit'; reason: string }> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve({ type: 'exit', reason: `timeout: ${doing} took longer than ${timeoutMs} ms` });
        void this.close();
      }, timeoutMs);
      this.waiting = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
    });
  }

  /**
   * Calls an export with `input` copied into the module's memory.
   * @throws SmartModuleCallError on a trap (the message says when the memory limit was reached) or a timeout.
   */
  async call(fn: string, input: Uint8Array): Promise<CallResult> {
    if (!this.worker) await this.start();
    const worker = this.worker as Worker;
    worker.ref();
    try {
      const reply = this.next(this.timeoutMs, `calling ${fn}`);
      const copy = input.slice();
      worker.postMessage({ type: 'call', fn, input: copy }, [copy.buffer]);
      const answer = await reply;
      if (answer.type === 'result') return { code: answer.code, output: answer.output };
      if (answer.type === 'trap') {
        await this.close(); // its state may be corrupt: the next call starts a fresh instance
        const full = answer.memoryBytes + WASM_PAGE_BYTES > this.loaded.maxMemoryBytes;
        const limit = full ? ` (its memory had reached the limit of ${Math.round(this.loaded.maxMemoryBytes / 1_048_576)} MiB, max_memory)` : '';
        throw new SmartModuleCallError(`WebAssembly trap in ${fn}: ${answer.message}${limit}`, 'trap');
      }
      if (answer.type === 'exit' && answer.reason.startsWith('timeout')) {
        throw new SmartModuleCallError(`${fn} did not return within ${this.timeoutMs} ms (an endless loop?); the instance was stopped (timeout)`, 'timeout');
      }
      throw new SmartModuleCallError(`${fn} did not complete: ${answer.type === 'exit' ? answer.reason : answer.type}`, 'trap');
    } finally {
      this.worker?.unref();
    }
  }

  /** Stops the worker. Idempotent. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
