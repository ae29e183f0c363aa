import { MAX_TIMER_MS, systemClock } from '../../../lib/core/clock';

describe('Object: systemClock', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should wait a delay longer than the timer limit in steps, never firing early', async () => {
    // Prepare
    let done = false;
    const sleeping = systemClock.sleep(MAX_TIMER_MS + 5_000).then(() => {
      done = true;
    });

    // Act
    await jest.advanceTimersByTimeAsync(MAX_TIMER_MS);
    const afterFirstStep = done;
    await jest.advanceTimersByTimeAsync(5_000);
    await sleeping;

    // Assess
    expect(afterFirstStep).toBe(false);
    expect(done).toBe(true);
  });

  it('should resolve at once when the signal aborts during a long wait', async () => {
    // Prepare
    const controller = new AbortController();
    const sleeping = systemClock.sleep(MAX_TIMER_MS * 3, controller.signal);

    // Act
    await jest.advanceTimersByTimeAsync(MAX_TIMER_MS + 1);
    controller.abort();

    // Assess
    await expect(sleeping).resolves.toBeUndefined();
    expect(jest.getTimerCount()).toBe(0);
  });
});
