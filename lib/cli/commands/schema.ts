import { type Command, Option } from 'commander';
import { configJsonSchema } from '../../config/json-schema';
import { defaultRegistry } from '../../connectors';
import { writeOut } from '../common';

/**
 * `connector schema [--type T]`: prints the JSON Schema (draft 2020-12) of connector configs,
 * generated from the zod schemas: every registered type (dispatching on `meta.type` / `type`), or
 * one type. For editors: `# yaml-language-server: $schema=…` in a config, or the VS Code YAML
 * extension's `yaml.schemas` setting. `npm run docs` writes the same schemas to `schema/`.
 */
export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema (draft 2020-12) of connector configs, for editor completion and inline errors')
    .addOption(new Option('-t, --type <type>', 'one connector type only (canonical or legacy name)').choices(defaultRegistry.typeNames))
    .action(async (opts: { type?: string }) => {
      const type = opts.type === undefined ? undefined : defaultRegistry.get(opts.type)?.type;
      await writeOut(`${JSON.stringify(configJsonSchema(defaultRegistry, { type }), null, 2)}\n`); // as generatedConfigSchemas writes it
    });
}
