import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generatedConfigSchemas } from '../lib/config/json-schema';
import { defaultRegistry } from '../lib/connectors';
import { withOptionsTable } from '../lib/connectors/docs';
import { DEPLOYMENT_OPTIONS_MARKERS, deploymentOptionsTable } from '../lib/deploy/options';
import { withGeneratedBlock } from '../lib/schema/docs';
import { defaultTransforms } from '../lib/transforms';
import { withTransformTables } from '../lib/transforms/docs';

/**
 * `npm run docs`: regenerates, from the zod schemas, the options table of every connector README,
 * the step options and built-in transforms tables of lib/transforms/README.md, in the top-level
 * README the http-source table and the deployment options table, and the JSON Schemas of
 * connector configs in schema/ (`connector schema`).
 */
const root = resolve(__dirname, '../..');
const topLevel = join(root, 'README.md');
const edits: Array<{ file: string; edit: (text: string) => string }> = [
  ...defaultRegistry.definitions.map((def) => ({ file: join(root, 'lib', 'connectors', def.type, 'README.md'), edit: (text: string) => withOptionsTable(text, def) })),
  { file: topLevel, edit: (text) => withOptionsTable(text, defaultRegistry.get('http-source')!) },
  { file: join(root, 'lib', 'transforms', 'README.md'), edit: (text) => withTransformTables(text, defaultTransforms) },
  { file: topLevel, edit: (text) => withGeneratedBlock(text, DEPLOYMENT_OPTIONS_MARKERS, deploymentOptionsTable(), '### Options (`custom.connectors` in serverless.yml)') },
];
for (const { file, edit } of edits) {
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (after !== before) {
    writeFileSync(file, after);
    process.stdout.write(`updated ${file}\n`);
  }
}

for (const [file, text] of Object.entries(generatedConfigSchemas(defaultRegistry))) {
  const path = join(root, file);
  if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  process.stdout.write(`updated ${path}\n`);
}
