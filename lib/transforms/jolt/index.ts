import { z } from 'zod';
import type { TransformDefinition } from '../definition';
import { jsonParameter } from '../params';
import { compileJoltSpec, JoltSpecError } from './spec';

/**
 * `infinyon/jolt` (Hub map SmartModule, FC `smartmodules/jolt`, github.com/infinyon/fluvio-jolt):
 * JSON to JSON with Jolt `shift`, `default` and `remove` operations. The record value must be JSON;
 * the key is kept. `with.spec` is compiled when the config is validated, so a bad spec is a located
 * config error.
 */
export const JoltParamsSchema = z.strictObject({
  spec: jsonParameter('a list of Jolt operations ({operation: shift|default|remove, spec: {...}})', compileJoltSpec, (err) =>
    err instanceof JoltSpecError ? { path: err.path, message: err.message, target: err.target } : undefined,
  ).describe('The Jolt operations, applied in order: `shift` (move input paths to output paths, with `*`, `&`, `@`, `$`, `#`), `default` (add missing fields), `remove` (delete fields).'),
});

export const jolt: TransformDefinition<typeof JoltParamsSchema> = {
  name: 'infinyon/jolt',
  kind: 'map',
  summary: 'JSON to JSON: Jolt shift, default and remove operations',
  params: JoltParamsSchema,
  load: async () => {
    const [{ perRecordStep }, { applyJolt }, json] = await Promise.all([import('../per-record'), import('./transform'), import('../json')]);
    return {
      create: (params) =>
        perRecordStep({
          kind: 'map',
          fn: (record) => ({ key: record.key, value: json.stringifySorted(applyJolt(params.spec, json.parseRecordJson(record.value))) }),
        }),
    };
  },
};
