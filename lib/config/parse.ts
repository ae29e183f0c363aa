import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ErrorCode } from '../core/errors';
import { ConfigError, formatIssueMessage } from './errors';
import { configError, type ParseOptions, parseConfigDocument } from './parse-document';
import type { ConnectorSpec } from './spec';
import { ConfigLimits, ConfigSource } from './yaml-source';

export { MAX_SHOWN_ISSUES, type ParseOptions } from './parse-document';

/**
 * Parses and validates a Fluvio connector config (legacy or apiVersion 0.0.0/0.1.0/0.2.0) into a
 * {@link ConnectorSpec}. Steps: YAML within `ConfigLimits` → format → `${{ secrets.NAME }}`
 * rendered in string values → connector type from the registry → envelope and section validated
 * with strict zod schemas → located warnings (YAML, secrets, the connector's `warnings`). The steps
 * after the YAML are `parseConfigDocument` (parse-document.ts).
 *
 * Differences from Fluvio, on purpose: unknown keys are errors (with a suggestion), section keys may
 * be kebab-case, secrets render after YAML parsing (never into `meta.name` or the topic), `name`
 * and topic names are checked.
 *
 * @throws ConfigError with the issues found (file:line:column, path, value, expected; at most
 *   `MAX_SHOWN_ISSUES`, then a count), code of the first: CONFIG_YAML_SYNTAX,
 *   CONFIG_LIMIT_EXCEEDED, CONFIG_UNSUPPORTED_API_VERSION, CONFIG_UNKNOWN_CONNECTOR,
 *   CONFIG_UNKNOWN_FIELD, CONFIG_MISSING_FIELD, CONFIG_INVALID_VALUE, CONFIG_SECRET_UNDECLARED,
 *   CONFIG_SECRET_MISSING, CONFIG_SECRET_NOT_ALLOWED, CONFIG_UNKNOWN_TRANSFORM (a `transforms[].uses` that names no built-in
 *   transform and no `.wasm` file; the `with:` of a built-in one is checked against its schema).
 * @example
 * const spec = parseConnectorConfig(text, { file: 'configs/cat-facts.yaml', registry: defaultRegistry });
 * spec.type; // 'http-source'
 * spec.warnings; // located warnings, e.g. "configs/x.yaml:9:3: warning: http.delimiter: ignored without stream: true … [CONFIG_IGNORED_FIELD]"
 */
export function parseConnectorConfig(text: string, options: ParseOptions): ConnectorSpec {
  const parsed = ConfigSource.parse(text, options.file);
  if (!parsed.source) throw configError(parsed.issues, 0, options.file);
  return parseConfigDocument(parsed.source, options);
}

/**
 * Reads a config file as UTF-8, at most `ConfigLimits.maxBytes` + 1 bytes: a larger file is never
 * read whole (parsing then refuses it with a located CONFIG_LIMIT_EXCEEDED).
 * @param file - the name for messages (default `path`).
 * @throws ConfigError CONFIG_READ when the file cannot be read (missing, a directory, no permission).
 */
export function readConfigText(path: string, file = path): string {
  try {
    const fd = openSync(path, 'r');
    try {
      // The file's size bounds the buffer (a special file reports 0: then the limit does).
      const size = fstatSync(fd).size;
      const buffer = Buffer.allocUnsafe((size > 0 ? Math.min(size, ConfigLimits.maxBytes) : ConfigLimits.maxBytes) + 1);
      let length = 0;
      for (let read = -1; read !== 0 && length < buffer.length; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
      return buffer.subarray(0, length).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    const detail = `cannot read the config file: ${(error as Error).message}`;
    const message = formatIssueMessage({ code: ErrorCode.CONFIG_READ, file, path: '', detail });
    throw new ConfigError([{ code: ErrorCode.CONFIG_READ, file, path: '', message }]);
  }
}

/**
 * Reads (synchronously, see {@link readConfigText}) and parses a connector config file; see
 * {@link parseConnectorConfig}.
 * @throws ConfigError CONFIG_READ when the file cannot be read; otherwise as parseConnectorConfig.
 */
export function loadConnectorConfig(file: string, options: Omit<ParseOptions, 'file'>): ConnectorSpec {
  return parseConnectorConfig(readConfigText(file), { ...options, file });
}
