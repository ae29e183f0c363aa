import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { REPO } from '../../scripts/service-dir';
import { parseConnectorConfig } from '../../lib/config';
import { encodeDeployedSpec } from '../../lib/config/deployed';
import { periodicRegistry } from '../../lib/connectors/periodic';
import { ConnectorEnv } from '../../lib/core/env';

/** One cold start as the child measured it, ms. */
export interface ColdStart {
  requireMs: number;
  invokeMs: number;
  totalMs: number;
}

/** A way of running the bundle: a name, the extra environment of its children, optionally another zip (e.g. an older commit's). */
export interface ColdStartVariant {
  name: string;
  env: NodeJS.ProcessEnv;
  /** The zip this variant runs; default the `zip` of {@link measureColdStarts}. */
  zip?: string;
}

/** Fake credentials and region kinesalite accepts (it checks their presence, not their value). */
const KINESALITE_ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' } as const;

const listen = (server: Server): Promise<string> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
const close = (server: Server): Promise<void> => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve())));

/** Runs the child once; resolves with its figures. @throws Error when it fails or produced no record. */
function runChild(dir: string, file: string, env: NodeJS.ProcessEnv, resultFile: string): Promise<ColdStart> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'cold-start-child.js'), file, resultFile], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`cold-start child exited ${code}: ${stderr}`));
      const out = JSON.parse(readFileSync(resultFile, 'utf8')) as ColdStart & { records: number; polls: number; errors: number };
      if (out.records !== 1 || out.errors !== 0) return reject(new Error(`cold-start child: ${out.polls} polls, ${out.records} records, ${out.errors} errors (expected one record)`));
      resolve(out);
    });
  });
}

/**
 * Cold starts of the poller bundle as a user feels them: a fresh Node process `require()`s
 * `functions/poller.js` from the extracted `zip` (SDK via NODE_PATH, as Lambda provides it), then
 * makes its first invocation: one http-source poll (interval 1 minute, one slot at the event time)
 * of a local `node:http` endpoint answering after `delayMs`, and the record written to a real local
 * Kinesis API (kinesalite, in this process: DescribeStreamSummary of the topic's stream, then
 * PutRecords through the runtime's AWS SDK); the figure ends when the handler resolves (record
 * accepted, backend closed). `runs` children per variant and delay, interleaved, after one discarded
 * warm-up each (file cache). Nothing is stubbed: the handler, the SDK and its HTTP requests are real.
 * @returns per delay, per variant name, the children's figures.
 * @throws Error when `unzip` is missing, a child fails, or a child wrote no record.
 */
export async function measureColdStarts(zip: string, variants: readonly ColdStartVariant[], delaysMs: readonly number[], runs: number): Promise<Map<number, Map<string, ColdStart[]>>> {
  const root = mkdtempSync(join(tmpdir(), 'bench-cold-'));
  // kinesalite ships no types: a function returning an http.Server.
  const kinesalite = (require('kinesalite') as (options: object) => Server)({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
  let delayMs = 0;
  const endpoint = createServer((_req, res) => {
    setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      res.end('{"quote":"cold"}');
    }, delayMs);
  });
  try {
    const zips = [...new Set([zip, ...variants.map((v) => v.zip ?? zip)])];
    const dirOf = new Map(zips.map((z, index) => [z, join(root, String(index))]));
    for (const [z, dir] of dirOf) execFileSync('unzip', ['-q', z, '-d', dir]);
    const [kinesisUrl, endpointUrl] = [await listen(kinesalite), await listen(endpoint)];
    const client = new KinesisClient({ ...{ region: KINESALITE_ENV.AWS_REGION }, endpoint: kinesisUrl, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, requestHandler: new NodeHttpHandler() });
    await client.send(new CreateStreamCommand({ StreamName: 'bench-quotes', ShardCount: 1 }));
    client.destroy();
    const config = `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: bench-cold\n  type: http-source\n  topic: quotes\nhttp:\n  endpoint: ${endpointUrl}/api/quote\n  interval: 1m\n`;
    const file = 'configs/bench-cold.yaml';
    const base: NodeJS.ProcessEnv = {
      ...process.env,
      ...KINESALITE_ENV,
      NODE_PATH: join(REPO, 'node_modules'),
      // What the generator writes for this config (no secrets, no transforms: the validated spec,
      // lib/deploy/function.ts), plus its YAML, which a BENCH_BEFORE_ZIP poller (before CONNECTOR_SPEC) reads.
      [ConnectorEnv.SPEC]: encodeDeployedSpec(parseConnectorConfig(config, { file, registry: periodicRegistry }), file),
      [ConnectorEnv.CONFIG]: config,
      [ConnectorEnv.CONFIG_FILE]: file,
      [ConnectorEnv.STREAM_PREFIX]: 'bench-',
      [ConnectorEnv.WINDOW_MS]: '60000',
      [ConnectorEnv.WINDOW_ANCHOR]: 'event',
      [ConnectorEnv.KINESIS_ENDPOINT]: kinesisUrl,
    };
    delete base.NODE_OPTIONS;
    const results = new Map(delaysMs.map((delay) => [delay, new Map(variants.map((v) => [v.name, [] as ColdStart[]]))]));
    for (let run = -1; run < runs; run++) {
      for (const delay of delaysMs) {
        delayMs = delay;
        for (const variant of variants) {
          const dir = dirOf.get(variant.zip ?? zip)!;
          const figures = await runChild(dir, join(dir, 'functions/poller.js'), { ...base, ...variant.env }, join(root, 'result.json'));
          if (run >= 0) results.get(delay)!.get(variant.name)!.push(figures);
        }
      }
    }
    return results;
  } finally {
    await close(endpoint);
    await close(kinesalite);
    rmSync(root, { recursive: true, force: true });
  }
}
