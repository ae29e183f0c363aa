import { Backoff, parseRetryAfter } from '../../../lib/core/backoff';

describe('connectors/http-source/backoff', () => {
  describe('Backoff', () => {
    it('should start at backoff_min, double with jitter, and never exceed backoff_max', () => {
      for (let run = 0; run < 50; run++) {
        // Prepare
        const backoff = new Backoff(100, 1000);
        // Act
        const waits = Array.from({ length: 8 }, () => backoff.next());
        // Assess
        const [first, second, third] = waits;
        expect(first).toBeGreaterThanOrEqual(100);
        expect(first).toBeLessThan(200);
        expect(second).toBeGreaterThanOrEqual(200);
        expect(second).toBeLessThan(400);
        expect(third).toBeGreaterThanOrEqual(400);
        expect(third).toBeLessThan(800);
        for (const wait of waits) expect(wait).toBeLessThanOrEqual(1000);
        expect(waits.slice(4).every((w) => w >= 500)).toBe(true); // capped range: [max/2, max)
      }
    });

    it('should start again from backoff_min after reset', () => {
      const backoff = new Backoff(100, 10_000);
      for (let i = 0; i < 5; i++) backoff.next();
      backoff.reset();
      expect(backoff.next()).toBeLessThan(200);
    });

    it('should not go below backoff_min', () => {
      const backoff = new Backoff(300, 300);
      expect(Array.from({ length: 5 }, () => backoff.next())).toEqual([300, 300, 300, 300, 300]);
    });
  });

  describe('parseRetryAfter', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    it.each([
      ['2', 2000],
      [' 120 ', 120_000],
      ['Wed, 01 Jan 2025 00:00:05 GMT', 5000],
      ['Tue, 31 Dec 2024 23:59:00 GMT', 0],
      ['-1', undefined],
      ['1.5', undefined],
      ['soon', undefined],
      [undefined, undefined],
    ])('should parse %p as %p ms', (value, expected) => {
      expect(parseRetryAfter(value, now)).toBe(expected);
    });
  });
});
