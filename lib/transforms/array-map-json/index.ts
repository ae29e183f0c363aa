import { z } from 'zod';
import type { TransformDefinition } from '../definition';

/**
 * `infinyon-labs/array-map-json` (Hub array-map SmartModule, github.com/infinyon/labs-array-map-json;
 * registered as `infinyon/array-map-json` too): the record value must be a JSON array; each element
 * becomes one record (compact JSON, null key). An empty array gives no record.
 */
export const ArrayMapJsonParamsSchema = z.strictObject({});

export const arrayMapJson: TransformDefinition<typeof ArrayMapJsonParamsSchema> = {
  name: 'infinyon-labs/array-map-json',
  aliases: ['infinyon/array-map-json'],
  kind: 'array-map',
  summary: 'split a JSON array into one record per element',
  params: ArrayMapJsonParamsSchema,
  load: async () => {
    const [{ perRecordStep }, json] = await Promise.all([import('../per-record'), import('../json')]);
    return {
      create: () =>
        perRecordStep({
          kind: 'array-map',
          fn: (record) => {
            const value = json.parseRecordJson(record.value);
            if (!Array.isArray(value)) throw new Error(`record value is not a JSON array (${value === null ? 'null' : typeof value})`);
            return value.map((item) => ({ key: null, value: json.stringifySorted(item) }));
          },
        }),
    };
  },
};
