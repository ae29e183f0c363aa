import { z } from 'zod';
import { describeBounds, durationBounds, durationSchema, formatDuration, parseDuration, unwrapSchema, withDurationOptIns } from '../../../lib/schema';
import { MAX_TIMER_MS } from '../../../lib/core';

describe('Function: parseDuration', () => {
  it.each([
    ['2s', 2000],
    ['500ms', 500],
    ['1m', 60_000],
    ['1h 30m', 5_400_000],
    ['1h30m', 5_400_000],
    ['100msec', 100],
    ['2 seconds', 2000],
    ['3hrs', 10_800_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1M', 2_630_016_000],
    ['1y', 31_557_600_000],
    ['1.5s', 1500],
    ['500us', 1],
    ['1500us', 2],
    ['5ns', 1],
    ['  10s  ', 10_000],
  ])('should read %j as %d ms (humantime units, sub-millisecond rounded up)', (text, ms) => {
    // Act
    const parsed = parseDuration(text);

    // Assess
    expect(parsed).toBe(ms);
  });

  it.each(['1s2', '10', '', 's', '-1s', '2 parsecs', '1S', '1,5s', '1e3s', '99999999999999999999999h', '1s\n2s', 'NaNs'])('should refuse %j', (text) => {
    // Act
    const parsed = parseDuration(text);

    // Assess
    expect(parsed).toBeUndefined();
  });
});

describe('Function: durationSchema', () => {
  it('should refuse values outside its bounds with the bound in the message', () => {
    // Prepare
    const schema = durationSchema({ min: '100ms', max: '1h' });

    // Act
    const low = schema.safeParse('99ms');
    const high = schema.safeParse('61m');
    const ok = schema.safeParse('1h');

    // Assess
    expect(low.error?.issues[0]?.message).toBe('expected a duration of at least 100ms');
    expect(high.error?.issues[0]?.message).toBe('expected a duration of at most 1h');
    expect(ok.data).toBe(3_600_000);
  });

  it('should default to 1ms … 24d, below the timer limit of Node', () => {
    // Prepare
    const schema = durationSchema();

    // Act
    const bounds = durationBounds(schema);
    const over = schema.safeParse('25d');

    // Assess
    expect(bounds).toEqual({ minMs: 1, maxMs: 24 * 86_400_000 });
    expect(bounds!.maxMs).toBeLessThan(MAX_TIMER_MS);
    expect(over.error?.issues[0]?.message).toBe('expected a duration of at most 24d (longer waits overflow timers)');
  });

  it('should keep its bounds through .describe() and be found under .prefault()', () => {
    // Prepare
    const field = durationSchema({ min: '10ms', max: '1h' }).prefault('30s').describe('a timeout');

    // Act
    const bounds = durationBounds(unwrapSchema(field));

    // Assess
    expect(bounds).toEqual({ minMs: 10, maxMs: 3_600_000 });
    expect(describeBounds(bounds!)).toBe('10ms … 1h');
  });

  it('should be representable as JSON Schema: a string with the humantime pattern', () => {
    // Prepare
    const schema = z.strictObject({ every: durationSchema().prefault('10s').describe('period') });

    // Act
    const json = z.toJSONSchema(schema, { io: 'input' }) as unknown as { properties: { every: { type: string; pattern: string; default: string } } };

    // Assess
    expect(json.properties.every).toMatchObject({ type: 'string', default: '10s' });
    const pattern = new RegExp(json.properties.every.pattern);
    expect(['2s', '1h 30m', '100msec', '1.5s'].every((text) => pattern.test(text))).toBe(true);
    expect(['1s2', '10', 'soon'].some((text) => pattern.test(text))).toBe(false);
  });

  it('should throw at definition time for bounds that are not durations or min > max', () => {
    // Act / Assess
    expect(() => durationSchema({ min: 'soon' })).toThrow('invalid duration bound');
    expect(() => durationSchema({ min: '2s', max: '1s' })).toThrow('invalid duration bounds');
  });
});

describe('Function: withDurationOptIns', () => {
  const schema = withDurationOptIns(
    z.strictObject({
      every: durationSchema({ min: '100ms', optIn: { min: '1ms', flag: 'fast' } }),
      fast: z.boolean().default(false),
    }),
  );

  it('should refuse a value below the minimum unless the flag is true, and never below the opt-in floor', () => {
    // Act
    const refused = schema.safeParse({ every: '10ms' });
    const allowed = schema.safeParse({ every: '10ms', fast: true });
    const floor = schema.safeParse({ every: '0s', fast: true });

    // Assess
    expect(refused.error?.issues[0]).toMatchObject({ path: ['every'], message: 'expected a duration of at least 100ms (1ms with fast: true)' });
    expect(allowed.data).toEqual({ every: 10, fast: true });
    expect(floor.error?.issues[0]?.message).toBe('expected a duration of at least 100ms (1ms with fast: true)');
  });

  it('should document the opt-in in the bounds', () => {
    // Act
    const text = describeBounds(durationBounds(schema.shape.every)!);

    // Assess
    expect(text).toBe('100ms (1ms with fast: true) … 24d');
  });
});

describe('Function: formatDuration', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [90_000, '1m 30s'],
    [24 * 86_400_000, '24d'],
    [86_400_000 + 1, '1d 1ms'],
  ])('should format %d ms as %j', (ms, text) => {
    // Act / Assess
    expect(formatDuration(ms)).toBe(text);
  });
});
