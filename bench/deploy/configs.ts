/**
 * A deterministic set of connector configs for the "many configs" deployment benchmark: the shape a
 * large user might deploy, in the formats `serverless package` accepts (apiVersion 0.2.0 and the
 * legacy `version/name/type/parameters` format).
 */

/** Intervals of the periodic sources, drawn in turn (Fluvio `http.interval`, humantime). */
export const BENCH_INTERVALS = ['2s', '10s', '15s', '30s', '45s', '1m', '5m', '90s'] as const;
/** The same intervals in whole seconds, for legacy configs (`parameters.interval` is a number of seconds there). */
const LEGACY_SECONDS: Record<(typeof BENCH_INTERVALS)[number], number> = { '2s': 2, '10s': 10, '15s': 15, '30s': 30, '45s': 45, '1m': 60, '5m': 300, '90s': 90 };

/** What kind of connector config number `i` is. */
export type BenchConfigKind = 'periodic' | 'stream' | 'legacy';

/**
 * Kind of config `i`: every 5th is a streaming http-source (`stream: true`, 20 %), every 50th
 * (offset 7) a legacy-format periodic source (2 %), the rest apiVersion 0.2.0 periodic sources.
 */
export function kindOf(i: number): BenchConfigKind {
  if (i % 5 === 4) return 'stream';
  if (i % 50 === 7) return 'legacy';
  return 'periodic';
}

/**
 * `count` configs, file name → YAML text. Connector `conn-NNNN` writes to topic `topic-⌊i/2⌋`, so
 * each topic is shared by 2 connectors (topics are created: `create-topic` defaults to true in
 * apiVersion 0.2.0; legacy configs set `create_topic: true`). Periodic intervals cycle through
 * {@link BENCH_INTERVALS}. Same input, same output.
 */
export function benchConfigs(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const name = `conn-${String(i).padStart(4, '0')}`;
    const topic = `topic-${String(Math.floor(i / 2)).padStart(4, '0')}`;
    const interval = BENCH_INTERVALS[i % BENCH_INTERVALS.length]!;
    const endpoint = `https://example.com/feeds/${i}`;
    const kind = kindOf(i);
    files[`${name}.yaml`] =
      kind === 'legacy'
        ? `version: 0.1.0\nname: ${name}\ntype: http\ntopic: ${topic}\ncreate_topic: true\ndirection: source\nparameters:\n  endpoint: ${endpoint}\n  interval: ${LEGACY_SECONDS[interval]}\n`
        : `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: ${name}\n  type: http-source\n  topic: ${topic}\nhttp:\n  endpoint: ${endpoint}\n` +
          (kind === 'stream' ? '  stream: true\n  delimiter: "\\n"\n' : `  interval: ${interval}\n`);
  }
  return files;
}
