import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../../lib/core';
import { tempDir } from '../../../support/cli';
import { compileWat, writeSmartModule } from '../../../support/smartmodules';
import { openChain, processText, runSteps } from '../../../support/transforms';

jest.setTimeout(30_000);

// Real SmartModules: WebAssembly compiled from test/fixtures/smartmodules/*.wat, run by the host
// (worker thread, Fluvio ABI) exactly as a config's `uses: ./x.wasm` runs them.
describe('SmartModule .wasm transforms', () => {
  let dir: string;
  let cleanup: () => void;
  const wasm = (name: string): string => join(dir, `${name}.wasm`);

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('connector-wasm-'));
    for (const name of ['map', 'filter', 'filter-map', 'array-map', 'aggregate', 'trap', 'loop', 'grow', 'wasi']) await writeSmartModule(name, dir);
  });

  afterAll(() => cleanup());

  it('should run a filter with init, which receives the `with:` parameters', async () => {
    // Act
    const result = await runSteps([{ uses: wasm('filter'), with: { key: 'an' } }], ['apple', 'banana', 'fruit', 'mango']);

    // Assess
    expect(result.records.map((record) => [record.origin, record.value])).toEqual([[1, 'banana'], [3, 'mango']]);
    expect(result.filtered).toBe(2);
  });

  it('should refuse to open a SmartModule whose init rejects its parameters, with the module\'s message', async () => {
    // Act
    const opening = openChain([{ uses: wasm('filter') }]);

    // Assess
    await expect(opening).rejects.toMatchObject({ code: ErrorCode.TRANSFORM_INIT_FAILED, message: expect.stringContaining('init refused its parameters: Missing param key') });
  });

  it('should run a map, keeping keys, and report a record the module fails without losing the others', async () => {
    // Act
    const result = await runSteps([{ uses: wasm('map') }], [{ key: 'k1', value: 'apple' }, 'bad', { key: 'k3', value: 'pear' }]);

    // Assess
    expect(result.records).toEqual([
      { origin: 0, key: 'k1', value: 'APPLE' },
      { origin: 2, key: 'k3', value: 'PEAR' },
    ]);
    expect(result.failures).toEqual([expect.objectContaining({ origin: 1, cause: 'error', message: 'Map error: bad record' })]);
  });

  it('should run a filter_map', async () => {
    // Act
    const result = await runSteps([{ uses: wasm('filter-map') }], ['+one', 'two', '+three']);

    // Assess
    expect(result.records.map((record) => [record.origin, record.value])).toEqual([[0, 'one'], [2, 'three']]);
    expect(result.filtered).toBe(1);
  });

  it('should run an array_map, one record in giving several out with null keys', async () => {
    // Act
    const result = await runSteps([{ uses: wasm('array-map') }], [{ key: 'k', value: 'a,b,c' }, 'd']);

    // Assess
    expect(result.records).toEqual([
      { origin: 0, key: null, value: 'a' },
      { origin: 0, key: null, value: 'b' },
      { origin: 0, key: null, value: 'c' },
      { origin: 1, key: null, value: 'd' },
    ]);
  });

  it('should run an aggregate whose accumulator carries across the batches of one chain', async () => {
    // Prepare
    const chain = await openChain([{ uses: wasm('aggregate') }]);

    // Act
    const first = await processText(chain, ['a', 'b']);
    const second = await processText(chain, ['c']);
    await chain.close();

    // Assess: fluvio's aggregate example gives "a", "ab", then "abc"
    expect(first.records.map((record) => record.value)).toEqual(['a', 'ab']);
    expect(second.records.map((record) => record.value)).toEqual(['abc']);
  });

  it('should pin a trap to its record, restart the instance and go on with the others', async () => {
    // Prepare
    const chain = await openChain([{ uses: wasm('trap') }]);

    // Act
    const result = await processText(chain, ['x', 'boom', 'y']);
    const after = await processText(chain, ['z']);
    await chain.close();

    // Assess
    expect(result.records.map((record) => record.value)).toEqual(['x', 'y']);
    expect(result.failures).toEqual([expect.objectContaining({ origin: 1, cause: 'trap', message: expect.stringMatching(/^WebAssembly trap in map: unreachable/) })]);
    expect(after.records.map((record) => record.value)).toEqual(['z']);
  });

  it('should stop an endless loop at the step\'s time limit with a clear error, and go on with the other records', async () => {
    // Act
    const result = await runSteps([{ uses: wasm('loop'), timeout: '200ms' }], ['a', 'spin', 'b']);

    // Assess
    expect(result.records.map((record) => record.value)).toEqual(['a', 'b']);
    expect(result.failures).toEqual([
      expect.objectContaining({ origin: 1, cause: 'timeout', message: 'map did not return within 200 ms (an endless loop?); the instance was stopped (timeout)' }),
    ]);
  });

  it('should let a module grow its memory and read its output from the grown memory', async () => {
    // Act: 2 initial pages + 100
    const result = await runSteps([{ uses: wasm('grow') }], ['100', '0']);

    // Assess
    expect(result.records.map((record) => record.value)).toEqual(['102', '102']);
  });

  it('should refuse growth past max_memory: memory.grow fails inside the module', async () => {
    // Act: 1 MiB = 16 pages; the module starts with 2
    const result = await runSteps([{ uses: wasm('grow'), max_memory: '1 MiB' }], ['100', '10']);

    // Assess
    expect(result.failures).toEqual([expect.objectContaining({ origin: 0, message: 'Map error: memory.grow failed' })]);
    expect(result.records.map((record) => record.value)).toEqual(['12']);
  });

  it('should give a module built for WASI the WASI imports', async () => {
    // Act
    const result = await runSteps([{ uses: wasm('wasi') }], ['anything']);

    // Assess
    expect(result.records.map((record) => record.value)).toEqual(['wasi ok']);
  });

  it.each([
    ['a file that is not WebAssembly', () => Buffer.from('not wasm at all'), /not a WebAssembly binary/],
    ['a module without an entry point', () => compileWat('(module (memory (export "memory") 1) (func (export "alloc") (param i32) (result i32) (i32.const 0)))'), /exports none of the SmartModule entry points \(filter, map, filter_map, array_map, aggregate\)/],
    [
      'a module importing what no SmartModule host provides',
      () => compileWat('(module (import "env" "copy_records" (func (param i32 i32))) (import "env" "now" (func (result i64))) (memory (export "memory") 1) (func (export "alloc") (param i32) (result i32) (i32.const 0)) (func (export "map") (param i32 i32 i32) (result i32) (i32.const 0)))'),
      /imports env\.now \(function\), which no SmartModule host provides/,
    ],
    [
      'a module whose memory starts over max_memory',
      () => compileWat('(module (import "env" "copy_records" (func (param i32 i32))) (memory (export "memory") 4096) (func (export "alloc") (param i32) (result i32) (i32.const 0)) (func (export "map") (param i32 i32 i32) (result i32) (i32.const 0)))'),
      /starts with 4096 pages of memory \(256 MiB\), over the limit of 2048 pages/,
    ],
  ])('should refuse %s with TRANSFORM_INVALID_MODULE', async (_case, bytes, message) => {
    // Prepare
    const path = join(dir, `invalid-${Math.random().toString(36).slice(2)}.wasm`);
    writeFileSync(path, await bytes());

    // Act
    const opening = openChain([{ uses: path }]);

    // Assess
    await expect(opening).rejects.toMatchObject({ code: ErrorCode.TRANSFORM_INVALID_MODULE, message: expect.stringMatching(message) });
  });
});
