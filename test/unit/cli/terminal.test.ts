import { Writable } from 'node:stream';
import { createTerminalReporter } from '../../../lib/cli/terminal';
import { createMetrics } from '../../../lib/core/metrics';

/** A stream that keeps what is written. */
function sink(): { stream: NodeJS.WriteStream; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

describe('cli terminal counters', () => {
  it('should show no transform counters while no transform filtered or failed a record', () => {
    // Prepare
    const out = sink();
    const reporter = createTerminalReporter(out.stream, createMetrics(), 'c → t', { refreshMs: 60_000 });

    // Act
    reporter.stop();

    // Assess
    expect(out.text()).toContain('c → t | records 0 | 0 B | errors 0 | dropped 0 | last poll never');
    expect(out.text()).not.toContain('filtered');
  });

  it('should show records filtered and transform errors (skipped, dead-lettered) once there are some', () => {
    // Prepare
    const out = sink();
    const metrics = { ...createMetrics(), records: 5, filtered: 2, transformErrors: 3, transformSkipped: 1, deadLettered: 2 };
    const reporter = createTerminalReporter(out.stream, metrics, 'c → t', { refreshMs: 60_000 });

    // Act
    reporter.stop();

    // Assess
    expect(out.text()).toContain('records 5 | 0 B | errors 0 | dropped 0 | filtered 2 | transform errors 3 (skipped 1, dead-lettered 2) | last poll never');
  });
});
