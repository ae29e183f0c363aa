import { createHash } from 'node:crypto';

/** First `length` hex characters of the sha256 of `text`: a stable short suffix. */
export function shortHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** `quotes-periodic` → `QuotesPeriodic`: a CloudFormation logical ID part (alphanumeric). */
export function pascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0);
  return words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}

/**
 * `base` cut to at most `max` characters; a cut name ends with `-` and 8 hex characters of its
 * hash, so two long names stay distinct.
 */
export function fitName(base: string, max: number): string {
  if (base.length <= max) return base;
  const suffix = `-${shortHash(base)}`;
  return base.slice(0, max - suffix.length).replace(/[-_.]+$/, '') + suffix;
}

/** Lambda function names: at most 64 characters (AWS limit). */
export const MAX_FUNCTION_NAME = 64;
/** Kinesis stream names: at most 128 characters (AWS limit). */
export const MAX_STREAM_NAME = 128;
/** ECS task definition families: at most 255 characters. */
export const MAX_FAMILY = 255;

/** Logical IDs and names of one connector's resources. */
export interface ConnectorNames {
  /** Key under `functions:` (osls derives `<Key>LambdaFunction`, `<Key>LogGroup`, … from it). */
  functionKey: string;
  /** PascalCase base of the logical IDs we generate (`<Base>Role`, `<Base>Schedule`, …). */
  base: string;
  /** Physical name: Lambda function name, ECS family and log group suffix: `<service>-<stage>-<connector>`, ≤ 64. */
  physical: string;
}

/**
 * Names of every connector's resources, unique even when two connector names map to the same
 * PascalCase (`a-b` and `a_b`: the second gets a hash suffix).
 * @param connectors - connector names (unique).
 */
export function connectorNames(connectors: readonly string[], service: string, stage: string): Map<string, ConnectorNames> {
  const taken = new Set<string>();
  const result = new Map<string, ConnectorNames>();
  for (const name of [...connectors].sort()) {
    let base = pascalCase(name) || 'Connector';
    if (/^[0-9]/.test(base)) base = `C${base}`;
    if (taken.has(base)) base = `${base}${shortHash(name, 6)}`;
    taken.add(base);
    result.set(name, { base, functionKey: base[0]!.toLowerCase() + base.slice(1), physical: fitName(`${service}-${stage}-${name}`, MAX_FUNCTION_NAME) });
  }
  return result;
}

/** Logical IDs of the stream resources of `topics` (`quotes` → `TopicQuotesStream`), unique. */
export function streamLogicalIds(topics: readonly string[]): Map<string, string> {
  const taken = new Set<string>();
  const result = new Map<string, string>();
  for (const topic of [...topics].sort()) {
    let id = `Topic${pascalCase(topic)}Stream`;
    if (taken.has(id)) id = `Topic${pascalCase(topic)}${shortHash(topic, 6)}Stream`;
    taken.add(id);
    result.set(topic, id);
  }
  return result;
}
