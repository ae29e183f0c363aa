import { silentLogger } from '../../lib/core';
import { type ChainFailure, defaultTransforms, openTransformChain, type TransformChain, TransformStepSchema } from '../../lib/transforms';

/** A step as written in YAML (`with` values as mappings, lists or strings). */
export interface StepInput {
  uses: string;
  with?: Record<string, unknown>;
  on_error?: string;
  timeout?: string;
  max_memory?: string;
}

/** A record as the tests write them: a value, or a key and a value (UTF-8 text). */
export type TextRecord = string | { key: string | null; value: string };

/** Opens a chain of `steps` (validated with the config's step schema), relative `.wasm` paths from `baseDir`. */
export async function openChain(steps: StepInput[], baseDir = '.'): Promise<TransformChain> {
  return openTransformChain(
    steps.map((step) => TransformStepSchema.parse(step)),
    { registry: defaultTransforms, baseDir, log: silentLogger },
  );
}

/** Output of a chain run, as text. */
export interface TextResult {
  records: { origin: number; key: string | null; value: string }[];
  failures: ChainFailure[];
  filtered: number;
}

const decode = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** Runs `records` through an open chain. */
export async function processText(chain: TransformChain, records: TextRecord[]): Promise<TextResult> {
  const input = records.map((record) =>
    typeof record === 'string' ? { value: Buffer.from(record) } : { key: record.key === null ? null : Buffer.from(record.key), value: Buffer.from(record.value) },
  );
  const result = await chain.process(input);
  return { records: result.records.map((record) => ({ origin: record.origin, key: record.key === null ? null : decode(record.key), value: decode(record.value) })), failures: result.failures, filtered: result.filtered };
}

/** Opens a chain of `steps`, runs `records` through it once, closes it. */
export async function runSteps(steps: StepInput[], records: TextRecord[], baseDir = '.'): Promise<TextResult> {
  const chain = await openChain(steps, baseDir);
  try {
    return await processText(chain, records);
  } finally {
    await chain.close();
  }
}

/** The output values of one step over `records`. */
export async function values(step: StepInput, records: TextRecord[]): Promise<string[]> {
  return (await runSteps([step], records)).records.map((record) => record.value);
}
