/**
 * Child process of the module-init benchmark: `node require-timer.js <module> [preload…]`.
 * Requires each `preload` module first (resolved from `<module>`'s directory, as the module
 * itself would resolve it, so NODE_PATH applies), then prints `{"ms": …, "loaded": […]}`: the time to
 * `require()` `<module>`, from `process.hrtime`, in ms, and which of the modules named in the
 * environment variable `REQUIRE_TIMER_WATCH` (comma-separated) that require loaded.
 */
import { createRequire } from 'node:module';

const [file, ...preload] = process.argv.slice(2);
if (!file) throw new Error('usage: require-timer <module> [preload…]');
const requireFrom = createRequire(file);
for (const name of preload) requireFrom(name);
const t0 = process.hrtime.bigint();
requireFrom(file);
const t1 = process.hrtime.bigint();
const watched = (process.env.REQUIRE_TIMER_WATCH ?? '').split(',').filter((name) => name !== '');
const loaded = watched.filter((name) => {
  try {
    return requireFrom.cache[requireFrom.resolve(name)] !== undefined;
  } catch {
    return false;
  }
});
process.stdout.write(`${JSON.stringify({ ms: Number(t1 - t0) / 1e6, loaded })}\n`);
