/**
 * The data a host and a Fluvio SmartModule exchange, in Fluvio's binary encoding (`fluvio-protocol`
 * `Encoder`/`Decoder`): big-endian integers, `Vec<T>` as a u32 count then the items, `String` as a
 * u16 length then UTF-8, `Option<T>` as a u8 0/1 then the value, `BTreeMap` as a u16 count then
 * sorted pairs, and record fields as zigzag varints (Kafka style). Sources (github.com/infinyon/fluvio):
 *
 * - `crates/fluvio-protocol/src/core/{encoder,decoder,varint}.rs`: the primitives;
 * - `crates/fluvio-protocol/src/record/data.rs`: `Record` (`RecordHeader` + key + value + headers);
 * - `crates/fluvio-smartmodule/src/input.rs`: `SmartModuleInput` (version 22 =
 *   `SMARTMODULE_TIMESTAMPS_VERSION`), `SmartModuleAggregateInput`, `SmartModuleInitInput`,
 *   `SmartModuleExtraParams`;
 * - `crates/fluvio-smartmodule/src/output.rs`: `SmartModuleOutput`, `SmartModuleAggregateOutput`,
 *   `SmartModuleInitOutput`;
 * - `crates/fluvio-protocol/src/link/smartmodule.rs`: `SmartModuleTransformRuntimeError`,
 *   `SmartModuleKind`, `SmartModuleInitRuntimeError`;
 * - `crates/fluvio-smartmodule/src/error.rs`: the negative return codes.
 *
 * A field with `min_version`/`max_version` is present when the version is in that range
 * (inclusive; `fluvio-protocol-derive/src/ast/prop.rs`). This host speaks version 22, the version
 * `fluvio-smartengine` sends by default (`DEFAULT_SMARTENGINE_VERSION`).
 */

/** The encoding version this host passes as the third argument of every SmartModule call. */
export const SMARTMODULE_VERSION = 22;

/** A record as the SmartModule sees it. Deltas are relative to the input's base offset/timestamp. */
export interface AbiRecord {
  key: Uint8Array | null;
  value: Uint8Array;
  offsetDelta: number;
  timestampDelta: number;
}

/** `SmartModuleTransformRuntimeError`: a SmartModule's report that a record failed. */
export interface TransformRuntimeError {
  /** The error, as the SmartModule formatted it. */
  hint: string;
  /** Base offset + the record's offset delta. */
  offset: number;
  /** `Filter`, `Map`, `ArrayMap`, `Aggregate`, `FilterMap`, `Join`, `Generic`. */
  kind: string;
  key: Uint8Array | null;
  value: Uint8Array;
}

/** What a transform entry point returned through `copy_records`. */
export interface TransformOutput {
  records: AbiRecord[];
  error?: TransformRuntimeError;
}

const SMARTMODULE_KINDS = ['Filter', 'Map', 'ArrayMap', 'Aggregate', 'FilterMap', 'Join', 'Generic'];

/** Messages of the negative return codes of a transform entry point (`SmartModuleTransformErrorStatus`). */
export const TRANSFORM_STATUS: Readonly<Record<number, string>> = {
  [-1]: 'encountered unknown error during SmartModule processing',
  [-11]: 'failed to decode SmartModule base input',
  [-22]: 'failed to decode SmartModule record input',
  [-33]: 'failed to encode SmartModule output',
  [-44]: 'failed to parse SmartModule extra params',
  [-55]: 'undefined right record in Join SmartModule',
};

/** Messages of the negative return codes of `init` (`SmartModuleInitErrorStatus`); -2 carries an `SmartModuleInitOutput`. */
export const INIT_STATUS: Readonly<Record<number, string>> = {
  [-1]: 'encountered unknown error during SmartModule processing',
  [-2]: 'Error during initialization',
  [-10]: 'failed to decode SmartModule init input',
  [-11]: 'failed to encode SmartModule init output',
};

/** The return code of `init` that means "read my error from `copy_records`". */
export const INIT_ERROR = -2;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A growable big-endian byte writer. */
export class AbiWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  u8(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = value & 0xff;
    return this;
  }

  u16(value: number): this {
    this.reserve(2);
    this.view.setUint16(this.length, value);
    this.length += 2;
    return this;
  }

  u32(value: number): this {
    this.reserve(4);
    this.view.setUint32(this.length, value);
    this.length += 4;
    return this;
  }

  i64(value: number): this {
    this.reserve(8);
    this.view.setBigInt64(this.length, BigInt(value));
    this.length += 8;
    return this;
  }

  /** A zigzag varint (fluvio `variant_encode`, for values within ±2^53). */
  varint(value: number): this {
    let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
    while (zigzag >= 0x80) {
      this.u8((zigzag % 0x80) | 0x80);
      zigzag = Math.floor(zigzag / 0x80);
    }
    return this.u8(zigzag);
  }

  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  /** `Vec<u8>`: u32 length, then the bytes. */
  bytes(bytes: Uint8Array): this {
    return this.u32(bytes.length).raw(bytes);
  }

  /** `RecordData`: varint length, then the bytes. */
  recordData(bytes: Uint8Array): this {
    return this.varint(bytes.length).raw(bytes);
  }

  /** `String`: u16 length, then UTF-8. */
  string(text: string): this {
    const bytes = encoder.encode(text);
    if (bytes.length > 0xffff) throw new Error(`a string of ${bytes.length} bytes does not fit Fluvio's u16 string length`);
    return this.u16(bytes.length).raw(bytes);
  }

  done(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** A big-endian byte reader; every read checks bounds. */
export class AbiReader {
  private readonly view: DataView;
  position = 0;
  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  private need(n: number, what: string): void {
    if (this.position + n > this.data.length) throw new Error(`SmartModule output ends inside ${what} (at byte ${this.position} of ${this.data.length})`);
  }

  u8(what = 'a byte'): number {
    this.need(1, what);
    return this.data[this.position++] as number;
  }

  bool(what = 'a bool'): boolean {
    const value = this.u8(what);
    if (value > 1) throw new Error(`SmartModule output has ${value} where ${what} (0 or 1) was expected`);
    return value === 1;
  }

  u16(what = 'a u16'): number {
    this.need(2, what);
    const value = this.view.getUint16(this.position);
    this.position += 2;
    return value;
  }

  u32(what = 'a u32'): number {
    this.need(4, what);
    const value = this.view.getUint32(this.position);
    this.position += 4;
    return value;
  }

  i64(what = 'an i64'): number {
    this.need(8, what);
    const value = Number(this.view.getBigInt64(this.position));
    this.position += 8;
    return value;
  }

  varint(what = 'a varint'): number {
    let value = 0;
    let scale = 1;
    for (let count = 0; ; count++) {
      if (count >= 10) throw new Error(`SmartModule output has a varint longer than 10 bytes (${what})`);
      const byte = this.u8(what);
      value += (byte & 0x7f) * scale;
      scale *= 0x80;
      if ((byte & 0x80) === 0) break;
    }
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  raw(n: number, what: string): Uint8Array {
    if (n < 0) throw new Error(`SmartModule output has a negative length for ${what}`);
    this.need(n, what);
    const out = this.data.slice(this.position, this.position + n);
    this.position += n;
    return out;
  }

  bytes(what = 'bytes'): Uint8Array {
    return this.raw(this.u32(what), what);
  }

  recordData(what = 'record data'): Uint8Array {
    return this.raw(this.varint(what), what);
  }

  string(what = 'a string'): string {
    return decoder.decode(this.raw(this.u16(what), what));
  }

  get remaining(): number {
    return this.data.length - this.position;
  }
}

function writeRecord(writer: AbiWriter, record: AbiRecord): void {
  const inner = new AbiWriter();
  inner.u8(0); // attributes
  inner.varint(record.timestampDelta);
  inner.varint(record.offsetDelta);
  if (record.key === null) inner.u8(0);
  else inner.u8(1).recordData(record.key);
  inner.recordData(record.value);
  inner.varint(0); // headers
  const body = inner.done();
  writer.varint(body.length).raw(body);
}

function readRecord(reader: AbiReader): AbiRecord {
  const length = reader.varint('a record length');
  const start = reader.position;
  reader.u8('record attributes');
  const timestampDelta = reader.varint('a timestamp delta');
  const offsetDelta = reader.varint('an offset delta');
  const key = reader.bool('a record key flag') ? reader.recordData('a record key') : null;
  const value = reader.recordData('a record value');
  reader.varint('record headers');
  if (reader.position - start !== length) throw new Error(`SmartModule output has a record of ${reader.position - start} bytes that says it has ${length}`);
  return { key, value, offsetDelta, timestampDelta };
}

/** `Vec<Record>`: the `raw_bytes` of a `SmartModuleInput`. */
export function encodeRecords(records: readonly AbiRecord[]): Uint8Array {
  const writer = new AbiWriter().u32(records.length);
  for (const record of records) writeRecord(writer, record);
  return writer.done();
}

/** `SmartModuleExtraParams` at version 22: the parameter map (sorted), then `lookback: None`. */
function writeParams(writer: AbiWriter, params: Readonly<Record<string, string>>): void {
  const keys = Object.keys(params).sort();
  writer.u16(keys.length);
  for (const key of keys) writer.string(key).string(params[key] as string);
  writer.u8(0); // lookback (min_version 20): None
}

/** The fields of a `SmartModuleInput` besides its records. */
export interface InputBase {
  baseOffset: number;
  /** ms since the epoch. */
  baseTimestamp: number;
}

function writeInput(writer: AbiWriter, base: InputBase, records: readonly AbiRecord[]): void {
  writer.i64(base.baseOffset);
  writer.bytes(encodeRecords(records)); // raw_bytes
  writeParams(writer, {}); // deprecated per-call params (max_version 22): empty, as fluvio-smartengine sends them
  writer.u32(0); // join_record (16..=22): empty
  writer.i64(base.baseTimestamp); // min_version 22
}

/** A `SmartModuleInput` (version 22) carrying `records`. */
export function encodeInput(base: InputBase, records: readonly AbiRecord[]): Uint8Array {
  const writer = new AbiWriter();
  writeInput(writer, base, records);
  return writer.done();
}

/** A `SmartModuleAggregateInput`: the input, then the accumulator (`Vec<u8>`). */
export function encodeAggregateInput(base: InputBase, records: readonly AbiRecord[], accumulator: Uint8Array): Uint8Array {
  const writer = new AbiWriter();
  writeInput(writer, base, records);
  writer.bytes(accumulator);
  return writer.done();
}

/** A `SmartModuleInitInput`: the step's `with:` parameters. */
export function encodeInitInput(params: Readonly<Record<string, string>>): Uint8Array {
  const writer = new AbiWriter();
  writeParams(writer, params);
  return writer.done();
}

function readOutput(reader: AbiReader): TransformOutput {
  const count = reader.u32('the record count');
  const records: AbiRecord[] = [];
  for (let i = 0; i < count; i++) records.push(readRecord(reader));
  if (!reader.bool('the error flag')) return { records };
  const hint = reader.string('an error hint');
  const offset = reader.i64('an error offset');
  const tag = reader.u8('an error kind');
  const kind = SMARTMODULE_KINDS[tag] ?? `kind ${tag}`;
  const key = reader.bool('an error key flag') ? reader.recordData('an error key') : null;
  const value = reader.recordData('an error value');
  return { records, error: { hint, offset, kind, key, value } };
}

/** Decodes a `SmartModuleOutput`. @throws Error describing malformed output. */
export function decodeOutput(bytes: Uint8Array): TransformOutput {
  return readOutput(new AbiReader(bytes));
}

/** Decodes a `SmartModuleAggregateOutput`: the output, then the new accumulator. */
export function decodeAggregateOutput(bytes: Uint8Array): TransformOutput & { accumulator: Uint8Array } {
  const reader = new AbiReader(bytes);
  const output = readOutput(reader);
  return { ...output, accumulator: reader.bytes('the accumulator') };
}

/** Decodes a `SmartModuleInitOutput`: the init error's hint. */
export function decodeInitOutput(bytes: Uint8Array): string {
  return new AbiReader(bytes).string('the init error hint');
}
