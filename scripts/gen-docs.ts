import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultRegistry } from '../lib/connectors';
import { withOptionsTable } from '../lib/connectors/docs';

/** `npm run docs`: regenerates the options table of every connector README from its schema. */
const root = resolve(__dirname, '../..');
for (const def of defaultRegistry.definitions) {
  const file = join(root, 'lib', 'connectors', def.type, 'README.md');
  const before = readFileSync(file, 'utf8');
  const after = withOptionsTable(before, def);
  if (after !== before) {
    writeFileSync(file, after);
    process.stdout.write(`updated ${file}\n`);
  }
}
