import { AbiReader, AbiWriter, decodeAggregateOutput, decodeOutput, encodeInitInput, encodeInput, encodeRecords } from '../../../../lib/transforms/wasm/abi';
import { limitMemory } from '../../../../lib/transforms/wasm/limits';
import { compileWat } from '../../../support/smartmodules';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const ascii = (text: string): number[] => [...Buffer.from(text)];

describe('SmartModule ABI encoding (fluvio-protocol)', () => {
  // The table of fluvio-protocol's own varint tests (crates/fluvio-protocol/src/core/varint.rs).
  it.each([
    [0, [0x00]],
    [-1, [0x01]],
    [1, [0x02]],
    [63, [0x7e]],
    [7, [14]],
    [10, [0x14]],
    [4, [0x08]],
    [8191, [0xfe, 0x7f]],
    [-134217729, [0x81, 0x80, 0x80, 0x80, 0x01]],
  ])('should encode and decode the varint %d as %j', (value, encoded) => {
    // Act
    const written = new AbiWriter().varint(value).done();
    const read = new AbiReader(Uint8Array.from(encoded)).varint();

    // Assess
    expect([...written]).toEqual(encoded);
    expect(read).toBe(value);
  });

  it('should encode Vec<Record> as a u32 count and length-prefixed records (header, key option, value, headers)', () => {
    // Act: Record::new("apple") and a keyed record with offset delta 3
    const encoded = encodeRecords([
      { key: null, value: Buffer.from('apple'), offsetDelta: 0, timestampDelta: 0 },
      { key: Buffer.from('k'), value: Buffer.from('v'), offsetDelta: 3, timestampDelta: 0 },
    ]);

    // Assess
    expect([...encoded]).toEqual([
      0, 0, 0, 2,
      0x16, 0, 0x00, 0x00, 0x00, 0x0a, ...ascii('apple'), 0x00,
      0x12, 0, 0x00, 0x06, 0x01, 0x02, ...ascii('k'), 0x02, ...ascii('v'), 0x00,
    ]);
  });

  it('should encode a version-22 SmartModuleInput: base offset, records, empty params and join record, base timestamp', () => {
    // Act
    const encoded = encodeInput({ baseOffset: 5, baseTimestamp: 0x0102 }, []);

    // Assess
    expect([...encoded]).toEqual([
      0, 0, 0, 0, 0, 0, 0, 5, // base_offset i64
      0, 0, 0, 4, 0, 0, 0, 0, // raw_bytes: Vec<u8> of an empty Vec<Record>
      0, 0, 0, // params: empty map, lookback None
      0, 0, 0, 0, // join_record: empty
      0, 0, 0, 0, 0, 0, 1, 2, // base_timestamp i64
    ]);
  });

  it('should encode init parameters as a sorted map of u16-length strings', () => {
    // Act
    const encoded = encodeInitInput({ b: '2', a: 'x' });

    // Assess
    expect([...encoded]).toEqual([0, 2, 0, 1, ...ascii('a'), 0, 1, ...ascii('x'), 0, 1, ...ascii('b'), 0, 1, ...ascii('2'), 0]);
  });

  it('should decode a SmartModuleOutput with records and a SmartModuleTransformRuntimeError', () => {
    // Prepare
    const writer = new AbiWriter().raw(encodeRecords([{ key: null, value: Buffer.from('ok'), offsetDelta: 0, timestampDelta: 0 }]));
    writer.u8(1).string('boom').i64(7).u8(1).u8(1).recordData(Buffer.from('key')).recordData(Buffer.from('val'));

    // Act
    const output = decodeOutput(writer.done());

    // Assess
    expect(output.records.map((record) => Buffer.from(record.value).toString())).toEqual(['ok']);
    expect(output.error).toEqual({ hint: 'boom', offset: 7, kind: 'Map', key: Uint8Array.from(Buffer.from('key')), value: Uint8Array.from(Buffer.from('val')) });
  });

  it('should decode a SmartModuleAggregateOutput\'s accumulator', () => {
    // Prepare
    const writer = new AbiWriter().raw(encodeRecords([])).u8(0).bytes(Buffer.from('acc'));

    // Act
    const output = decodeAggregateOutput(writer.done());

    // Assess
    expect(Buffer.from(output.accumulator).toString()).toBe('acc');
    expect(output.records).toEqual([]);
  });

  it('should refuse output that ends early, naming what was cut', () => {
    // Act
    const act = () => decodeOutput(bytes(0, 0, 0, 1, 0x16, 0));

    // Assess
    expect(act).toThrow(/SmartModule output ends inside record attributes|ends inside a timestamp delta/);
  });
});

describe('limitMemory', () => {
  it('should cap a module\'s memory so memory.grow past the cap returns -1', async () => {
    // Prepare: a memory with no maximum and a function growing it
    const binary = await compileWat('(module (memory (export "memory") 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))');

    // Act
    const capped = new WebAssembly.Instance(new WebAssembly.Module(limitMemory(binary, 4 * 65_536))).exports as { grow(pages: number): number };
    const free = new WebAssembly.Instance(new WebAssembly.Module(binary)).exports as { grow(pages: number): number };

    // Assess
    expect(capped.grow(3)).toBe(1);
    expect(capped.grow(1)).toBe(-1);
    expect(free.grow(4)).toBe(1);
  });

  it('should keep a smaller declared maximum', async () => {
    // Prepare
    const binary = await compileWat('(module (memory (export "memory") 1 2) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))');

    // Act
    const instance = new WebAssembly.Instance(new WebAssembly.Module(limitMemory(binary, 64 * 65_536))).exports as { grow(pages: number): number };

    // Assess
    expect(instance.grow(2)).toBe(-1);
    expect(instance.grow(1)).toBe(1);
  });
});
