import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultRegistry, httpSource } from '../lib/connectors';
import { withOptionsTable } from '../lib/connectors/docs';

/**
 * `npm run docs`: regenerates the options table of every connector README from its schema, and
 * the http-source table of the top-level README.
 */
const root = resolve(__dirname, '../..');
const targets = [
  ...defaultRegistry.definitions.map((def) => ({ def, file: join(root, 'lib', 'connectors', def.type, 'README.md') })),
  { def: httpSource, file: join(root, 'README.md') },
];
for (const { def, file } of targets) {
  const before = readFileSync(file, 'utf8');
  const after = withOptionsTable(before, def);
  if (after !== before) {
    writeFileSync(file, after);
    process.stdout.write(`updated ${file}\n`);
  }
}
