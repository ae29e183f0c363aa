import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * SmartModule test fixtures: WebAssembly text (test/fixtures/smartmodules/*.wat) compiled in the
 * test run with the `wabt` package. A fixture's `;; @prelude` line is replaced by prelude.wat
 * (allocator, Fluvio encoding, copy_records).
 */
const FIXTURES = join(__dirname, '..', 'fixtures', 'smartmodules');

type Wabt = { parseWat(name: string, text: string, features?: Record<string, boolean>): { toBinary(options: object): { buffer: Uint8Array }; destroy(): void } };
let wabt: Promise<Wabt> | undefined;

/** Compiles WebAssembly text to a binary. */
export async function compileWat(text: string, name = 'module.wat'): Promise<Uint8Array> {
  wabt ??= (require('wabt') as () => Promise<Wabt>)();
  const module = (await wabt).parseWat(name, text, { bulk_memory: true });
  try {
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/** The text of fixture `name` (e.g. `map`), prelude included. */
export function fixtureText(name: string): string {
  const prelude = readFileSync(join(FIXTURES, 'prelude.wat'), 'utf8');
  return readFileSync(join(FIXTURES, `${name}.wat`), 'utf8').replace(';; @prelude', prelude);
}

/** Compiles fixture `name` and writes it to `dir/<file>` (default `<name>.wasm`). @returns the file's path. */
export async function writeSmartModule(name: string, dir: string, file = `${name}.wasm`): Promise<string> {
  const path = join(dir, file);
  writeFileSync(path, await compileWat(fixtureText(name), `${name}.wat`));
  return path;
}
