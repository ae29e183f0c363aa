import { Backoff } from '../../../lib/core/backoff';

describe('core/backoff', () => {
  describe('Backoff', () => {
    it('should start at backoff_min, double with jitter, and never exceed backoff_max', () => {
      for (let run = 0; run < 50; run++) {
        // Prepare
        const backoff = new Backoff({ minMs: 100, maxMs: 1000 });
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
      const backoff = new Backoff({ minMs: 100, maxMs: 10_000 });
      for (let i = 0; i < 5; i++) backoff.next();
      backoff.reset();
      expect(backoff.next()).toBeLessThan(200);
    });

    it('should not go below backoff_min', () => {
      const backoff = new Backoff({ minMs: 300, maxMs: 300 });
      expect(Array.from({ length: 5 }, () => backoff.next())).toEqual([300, 300, 300, 300, 300]);
    });
  });
});
