import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectorEnv } from '../../lib/core/env';
import { connector, requireBuild, startConnector, tempDir } from '../support/cli';
import { emfLines, emfValues } from '../support/emf';
import { waitFor } from '../support/wait-for';

const testConfig = (name: string, parameters: string): string =>
  `version: latest\nname: ${name}\ntype: test-connector\ntopic: ${name}\ncreate_topic: true\ndirection: source\nparameters:\n${parameters}`;

/** `connector run --metrics emf` (what the deployed tasks run): EMF lines on stdout, every period and at exit. */
describe('connector run --metrics emf (child process)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let data: string;

  beforeAll(() => requireBuild());
  beforeEach(() => {
    tmp = tempDir();
    data = join(tmp.dir, 'data');
  });
  afterEach(() => tmp.cleanup());

  const writeConfig = (name: string, text: string): string => {
    const file = join(tmp.dir, `${name}.yaml`);
    writeFileSync(file, text);
    return file;
  };
  const consumed = (topic: string): number => connector(data, ['consume', topic, '-B', '-d']).stdout.split('\n').filter(Boolean).length;

  it('should print the metrics of each period and the rest at exit, adding up to the records in the topic', async () => {
    // Prepare: an unbounded test-connector, a 100 ms metrics period
    const config = writeConfig('ticker', testConfig('ticker', '  timeout: 10ms\n'));
    const env = { [ConnectorEnv.METRICS_PERIOD_MS]: '100', [ConnectorEnv.METRICS_NAMESPACE]: 'Connectors', [ConnectorEnv.METRICS_SERVICE]: 'local-test' };
    const { child, out, exit } = startConnector(data, ['run', '--config', config, '--metrics', 'emf'], { env });

    // Act: two periods, then stop
    await waitFor(() => emfLines(out.stdout).length >= 2, 15_000);
    child.kill('SIGTERM');

    // Assess
    expect(await exit).toBe(0);
    const lines = emfLines(out.stdout);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.every((line) => line.connector === 'ticker' && line.service === 'local-test')).toBe(true);
    const records = lines.reduce((total, line) => total + emfValues(line).Records!, 0);
    expect(records).toBe(consumed('ticker'));
    expect(records).toBeGreaterThan(0);
    expect(lines.every((line) => emfValues(line).Errors === 0 && emfValues(line).Dropped === 0)).toBe(true);
    expect(out.stdout.split('\n').filter(Boolean)).toHaveLength(lines.length); // nothing else on stdout
  });

  it('should print the last line when a finite connector ends by itself', () => {
    // Prepare
    const config = writeConfig('five', testConfig('five', '  count: 5\n  timeout: 1ms\n'));

    // Act
    const run = connector(data, ['run', '--config', config], { env: { [ConnectorEnv.METRICS]: 'emf' } });

    // Assess: the environment variable is the option's default; default namespace and service
    expect(run.status).toBe(0);
    const lines = emfLines(run.stdout);
    expect(lines.map((line) => emfValues(line).Records).reduce((a, b) => a! + b!, 0)).toBe(5);
    expect(lines[0]!._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Connectors', Dimensions: [['service', 'connector']] });
    expect(lines[0]).toMatchObject({ service: 'connectors', connector: 'five' });
  });

  it('should keep stdout empty without --metrics', () => {
    // Prepare
    const config = writeConfig('plain', testConfig('plain', '  count: 2\n  timeout: 1ms\n'));

    // Act
    const run = connector(data, ['run', '--config', config]);

    // Assess
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
  });
});
