import { PassThrough, Readable } from 'node:stream';
import { BodyReader, MAX_GROUP_BYTES } from '../../../../lib/connectors/http-source/body-reader';

const text = (chunks: readonly Uint8Array[]): string => Buffer.concat(chunks).toString();

describe('connectors/http-source/body-reader', () => {
  it('should hand out every chunk that arrived in one I/O phase as one group, in order', async () => {
    // Prepare
    const body = new PassThrough();
    const reader = new BodyReader(body, () => undefined);
    // Act: three writes before the reader gets a turn, then two more later.
    body.write('a');
    body.write('b');
    body.write('c');
    const first = await reader.next();
    setImmediate(() => {
      body.write('d');
      body.end('e');
    });
    const second = await reader.next();
    const end = await reader.next();
    // Assess
    expect(first.done).toBe(false);
    expect(first.value).toHaveLength(3);
    expect(text(first.value!)).toBe('abc');
    expect(text(second.value!)).toBe('de');
    expect(end).toEqual({ done: true, value: undefined });
  });

  it('should pause the body while the caller holds a group (backpressure), and resume it on the next call', async () => {
    // Prepare: an endless source that counts how often the stream asks it for data.
    let reads = 0;
    const body = new Readable({
      highWaterMark: 1024,
      read() {
        reads++;
        this.push(Buffer.alloc(256, 'x'));
      },
    });
    const reader = new BodyReader(body, () => undefined);
    // Act
    await reader.next();
    const readsWhenHeld = reads;
    await new Promise((resolve) => setTimeout(resolve, 50)); // the caller is busy (e.g. a slow topic write)
    const readsAfterWait = reads;
    await reader.next();
    // Assess: at most the high-water mark (4 × 256 B) more was read while the group was held.
    expect(body.isPaused()).toBe(true);
    expect(readsAfterWait - readsWhenHeld).toBeLessThanOrEqual(4);
    expect(reads).toBeGreaterThan(readsAfterWait);
    await reader.close();
  });

  it('should end a group at MAX_GROUP_BYTES even when the body can always give more at once', async () => {
    // Prepare: a source that pushes synchronously whenever asked (it would keep a flowing stream busy forever).
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const body = new Readable({
      read() {
        this.push(chunk);
      },
    });
    const reader = new BodyReader(body, () => undefined);
    // Act
    const first = await reader.next();
    const second = await reader.next();
    await reader.close();
    // Assess
    const bytes = (group: readonly Uint8Array[]): number => group.reduce((sum, c) => sum + c.length, 0);
    expect(bytes(first.value!)).toBe(MAX_GROUP_BYTES);
    expect(bytes(second.value!)).toBe(MAX_GROUP_BYTES);
  });

  it('should hand out the chunks received before the body broke, then throw its error', async () => {
    // Prepare
    const body = new PassThrough();
    const reader = new BodyReader(body, () => undefined);
    const broken = new Error('connection reset');
    // Act
    body.write('whole\n');
    body.destroy(broken);
    const first = await reader.next();
    // Assess
    expect(text(first.value!)).toBe('whole\n');
    await expect(reader.next()).rejects.toBe(broken);
  });

  it('should throw a premature close when the body closes before its end without an error', async () => {
    const body = new PassThrough();
    const reader = new BodyReader(body, () => undefined);
    body.destroy();
    await expect(reader.next()).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('should read any async iterable of chunks', async () => {
    const reader = new BodyReader(
      (async function* () {
        yield Buffer.from('x');
        yield Buffer.from('y');
      })(),
      () => undefined,
    );
    const chunks: Uint8Array[] = [];
    for (let step = await reader.next(); !step.done; step = await reader.next()) chunks.push(...step.value);
    expect(text(chunks)).toBe('xy');
  });

  it('should abort the request on interrupt only while a read is pending', async () => {
    // Prepare
    const body = new PassThrough();
    const aborts: unknown[] = [];
    const reader = new BodyReader(body, (reason) => {
      aborts.push(reason);
      body.destroy(reason as Error);
    });
    // Act
    const idle = reader.interrupt(new Error('stop'));
    const pending = reader.next();
    const interrupted = reader.interrupt(new Error('stop'));
    // Assess
    expect(idle).toBe(false);
    expect(interrupted).toBe(true);
    await expect(pending).rejects.toThrow('stop');
    expect(aborts).toHaveLength(1);
  });

  it('should close an unfinished body without an error, once', async () => {
    // Prepare
    const body = new PassThrough();
    const errors: unknown[] = [];
    body.on('error', (err) => errors.push(err));
    const reader = new BodyReader(body, () => undefined);
    body.write('a');
    await reader.next();
    // Act
    await reader.close();
    await reader.close();
    await new Promise((resolve) => setImmediate(resolve));
    // Assess
    expect(body.destroyed).toBe(true);
    expect(errors).toEqual([]);
  });
});
