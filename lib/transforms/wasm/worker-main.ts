/**
 * The body of the worker thread that runs one SmartModule instance. Node's `WebAssembly` has no
 * fuel (wasmtime's, which fluvio-smartengine meters): a module stuck in a loop can only be stopped
 * by terminating the thread it runs on, so each instance lives in its own worker, and the host
 * (`host.ts`) terminates it when a call outlives its time limit.
 *
 * The worker is started from this function's source text (`new Worker(source, { eval: true })`),
 * so it works the same from `dist/`, from the esbuild bundle of a Lambda function and under ts-jest:
 * the function must stay self-contained (no imports, no outer variables; Node modules come from
 * `process.getBuiltinModule`).
 *
 * Protocol: `workerData` = `{ module: WebAssembly.Module, version, wasi }`; the worker answers
 * `{type: 'ready'}` or `{type: 'failed', message}`. Then for each `{type: 'call', fn, input}` it copies
 * `input` into the module's memory (through its `alloc` export), calls `fn(ptr, len, version)` and
 * answers `{type: 'result', code, output}` (`output`: the bytes the module passed to `copy_records`,
 * or null) or `{type: 'trap', message, memoryBytes}`.
 */
export function smartModuleWorker(): void {
  const threads = process.getBuiltinModule('node:worker_threads') as typeof import('node:worker_threads');
  const port = threads.parentPort as import('node:worker_threads').MessagePort;
  const data = threads.workerData as { module: WebAssembly.Module; version: number; wasi: boolean };
  let pending: { ptr: number; len: number } | null = null;
  let api: WebAssembly.Exports;
  try {
    const imports: WebAssembly.Imports = {};
    let wasi: import('node:wasi').WASI | undefined;
    if (data.wasi) {
      const { WASI } = process.getBuiltinModule('node:wasi') as typeof import('node:wasi');
      // stdout goes to stderr: a module's prints must not mix with `connector consume` output.
      const created = new WASI({ version: 'preview1', args: [], env: {}, stdout: 2, stderr: 2, returnOnExit: true });
      Object.assign(imports, created.getImportObject() as WebAssembly.Imports);
      wasi = created;
    }
    for (const entry of WebAssembly.Module.imports(data.module)) {
      if (entry.kind === 'function' && entry.name === 'copy_records') {
        imports[entry.module] = {
          ...(imports[entry.module] ?? {}),
          copy_records: (ptr: number, len: number) => {
            pending = { ptr: ptr >>> 0, len: len >>> 0 };
          },
        };
      }
    }
    const instance = new WebAssembly.Instance(data.module, imports);
    if (wasi && 'memory' in instance.exports) wasi.initialize(instance as object);
    api = instance.exports;
  } catch (err) {
    port.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    return;
  }
  const memory = api.memory as WebAssembly.Memory;
  const alloc = api.alloc as (len: number) => number;
  port.on('message', (message: { type: 'call'; fn: string; input: Uint8Array }) => {
    try {
      pending = null;
      const ptr = alloc(message.input.length) >>> 0;
      // `alloc` may grow the memory, which detaches older views of it: view it afresh each time.
      new Uint8Array(memory.buffer, ptr, message.input.length).set(message.input);
      const code = (api[message.fn] as (ptr: number, len: number, version: number) => number)(ptr, message.input.length, data.version);
      const copied = pending as { ptr: number; len: number } | null;
      const output = copied ? new Uint8Array(memory.buffer, copied.ptr, copied.len).slice() : null;
      port.postMessage({ type: 'result', code, output }, output ? [output.buffer] : []);
    } catch (err) {
      port.postMessage({ type: 'trap', message: err instanceof Error ? err.message : String(err), memoryBytes: memory.buffer.byteLength });
    }
  });
  port.postMessage({ type: 'ready' });
}
