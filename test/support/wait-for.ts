/**
 * Waits until `predicate` returns true (or a promise of true), checking every `intervalMs`
 * milliseconds. Use it instead of fixed sleeps to wait for something another process, server or
 * loop does.
 *
 * @param predicate - checked at once, then after each interval; an exception from it fails the wait.
 * @param timeoutMs - how long to wait in total (real time), default 5000 ms.
 * @param intervalMs - pause between two checks, default 10 ms.
 * @throws Error `waitFor: condition not met within <timeoutMs> ms` (with the predicate's source)
 *   when the time is up.
 *
 * @example
 * ```ts
 * await waitFor(() => records.length >= 3, 2000);
 * ```
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() >= deadline) {
      throw new Error(`waitFor: condition not met within ${timeoutMs} ms: ${predicate.toString()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
