import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * Starts a compiled bench helper (`bench/<name>.js` next to this file) in its own process and
 * waits for its `listening <port>` line.
 */
export async function startChild(name: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(__dirname, `${name}.js`)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(/listening (\d+)/.exec(d.toString())?.[1])));
    child.once('exit', () => reject(new Error(`bench helper ${name} exited`)));
  });
  return { port, child };
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Resolves once `done()` holds, checking every millisecond (no fixed sleep). */
export async function until(done: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('bench: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
