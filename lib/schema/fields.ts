import { z } from 'zod';
import { noteJsonSchema } from './json-schema-notes';

/** Message for {@link ConnectorNameSchema}. */
const NAME_RULE =
  'expected a name of 1-64 characters A-Z, a-z, 0-9, "_" or "-", starting with a letter or digit (it names files and AWS resources)';

/**
 * A connector's `name` (`meta.name`, legacy `name`). Stricter than Fluvio (any string), because the
 * name becomes a log file name, a deployment key and part of AWS resource names.
 * @example "cat-facts"
 */
export const ConnectorNameSchema = z.string({ error: NAME_RULE }).regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, NAME_RULE);

/** Message for {@link TopicNameSchema}. */
const TOPIC_RULE =
  'expected a topic name of 1-63 lower-case letters, digits or "-", starting and ending with a letter or digit (Fluvio topic rules)';

/**
 * A topic name, with Fluvio's rules (`valid_topic_name` + resource name length 63): lower-case
 * ASCII letters, digits and `-`, not starting or ending with `-`. Such names are also valid
 * Kinesis stream names.
 * @example "cat-facts"
 */
export const TopicNameSchema = topicNameSchema(TOPIC_RULE);

/**
 * {@link TopicNameSchema} for apiVersion 0.0.0/0.1.0 `meta.topic`, saying why a topic object is refused.
 */
export const TopicNameOnlySchema = topicNameSchema((input) =>
  typeof input === 'object' && input !== null ? 'expected a topic name (a topic config object needs apiVersion 0.2.0)' : TOPIC_RULE,
);

function topicNameSchema(typeError: string | ((input: unknown) => string)) {
  const error = typeof typeError === 'string' ? typeError : (issue: { input?: unknown }) => typeError(issue.input);
  return z.string({ error }).regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, TOPIC_RULE);
}

/**
 * A secret name (`meta.secrets[].name`, keys of legacy `secrets:`): ASCII letters, digits and `_`,
 * not starting with a digit (Fluvio `fluvio-connector-package/src/secret.rs`).
 * @example "API_TOKEN"
 */
export const SecretNameSchema = z.string({ error: 'expected a secret name' }).superRefine((name, ctx) => {
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    ctx.addIssue({ code: 'custom', input: name, message: 'expected a secret name of ASCII letters, digits and "_" only' });
  } else if (/^\d/.test(name)) {
    ctx.addIssue({ code: 'custom', input: name, message: 'expected a secret name that does not start with a digit' });
  }
});

/** Message for {@link ByteSizeSchema}. */
const SIZE_RULE = 'expected a size such as "44.0 MB", "16 KiB" or "1024" (bytes)';

/**
 * A byte size as Rust's `bytesize` parses it (`"44.0 MB"`, `"1 KiB"`, `"1024"`): the form is
 * checked, the text is kept as written (nothing uses the value yet).
 * @example "44.0 MB"
 */
export const ByteSizeSchema = z
  .string({ error: SIZE_RULE })
  // Letter case spelled out (no `i` flag): JSON Schema patterns have no flags (see inputJsonSchema).
  .regex(/^\d+(?:\.\d+)?\s*(?:[kmgtpeKMGTPE][iI]?[bB]?|[bB])?$/, SIZE_RULE);

/**
 * A connector package version (`meta.version`, legacy `version`, e.g. `0.3.3` or `latest`).
 * YAML numbers (`version: 1.0`) are read as written, before validation.
 */
export const VersionSchema = noteJsonSchema(
  z.string({ error: 'expected a version such as "0.3.3" or "latest"' }).min(1, 'expected a version such as "0.3.3" or "latest"'),
  { kind: 'also', schema: { type: 'number' } },
);

/**
 * A whole number ≥ `min` (and ≤ `max`, default `Number.MAX_SAFE_INTEGER`), with one message for
 * every way to get it wrong: a string, a list, `true`, `null`, a fraction, `.inf` are all refused
 * (no coercion; legacy configs coerce numeric strings before validation).
 * @example wholeNumber(1, 'a record count') // "expected a record count (a whole number ≥ 1)"
 */
export function wholeNumber(min: number, what: string, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  const message = `expected ${what} (a whole number ${range})`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
}
