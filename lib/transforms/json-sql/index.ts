import { z } from 'zod';
import type { TransformDefinition } from '../definition';
import type { Json } from '../json';
import { jsonParameter } from '../params';

/**
 * Column types of the mapping and the SQL model type each becomes (FC `smartmodules/json-sql/src/
 * mapping.rs` `ValueType` with its serde aliases → `fluvio-model-sql` `Type`).
 */
export const SQL_TYPES: Readonly<Record<string, string>> = {
  bigint: 'BigInt',
  int8: 'BigInt',
  integer: 'Int',
  int4: 'Int',
  int: 'Int',
  smallint: 'SmallInt',
  int2: 'SmallInt',
  boolean: 'Bool',
  bool: 'Bool',
  bytea: 'Bytes',
  bytes: 'Bytes',
  text: 'Text',
  float: 'Float',
  float4: 'Float',
  real: 'Float',
  doubleprecision: 'DoublePrecision',
  'double precision': 'DoublePrecision',
  float8: 'DoublePrecision',
  numeric: 'Numeric',
  decimal: 'Numeric',
  date: 'Date',
  time: 'Time',
  timestamp: 'Timestamp',
  json: 'Json',
  jsonb: 'Json',
  uuid: 'Uuid',
};

const ColumnSchema = z.strictObject({
  'json-key': z.string({ error: 'expected a JSON path such as "device.id" or "$"' }),
  value: z.strictObject({
    type: z.enum(Object.keys(SQL_TYPES) as [string, ...string[]], { error: `expected one of ${Object.keys(SQL_TYPES).map((t) => `"${t}"`).join(', ')}` }),
    default: z.union([z.string(), z.number()], { error: 'expected a string or a number' }).transform(String).optional(),
    required: z.boolean({ error: 'expected true or false' }).default(false),
  }),
});

/** The `mapping` parameter (serde names: `map-columns` alias `columns`, `json-key` alias `json_key`). */
export const SqlMappingSchema = z.preprocess(
  (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const { columns, ...rest } = value as Record<string, unknown>;
    const mapped: Record<string, unknown> = columns !== undefined && !('map-columns' in rest) ? { ...rest, 'map-columns': columns } : { ...value };
    const cols = mapped['map-columns'];
    if (typeof cols === 'object' && cols !== null && !Array.isArray(cols)) {
      mapped['map-columns'] = Object.fromEntries(
        Object.entries(cols as Record<string, unknown>).map(([name, column]) => {
          if (typeof column !== 'object' || column === null || Array.isArray(column) || !('json_key' in column) || 'json-key' in column) return [name, column];
          const { json_key: key, ...others } = column as Record<string, unknown>;
          return [name, { 'json-key': key, ...others }];
        }),
      );
    }
    return mapped;
  },
  z.strictObject({ table: z.string({ error: 'expected a table name' }), 'map-columns': z.record(z.string(), ColumnSchema, { error: 'expected a mapping of column names to columns' }) }),
);
export type SqlMapping = z.output<typeof SqlMappingSchema>;

/** One value of the SQL model: column name, value as text, model type. */
export interface SqlValue {
  column: string;
  raw_value: string;
  type: string;
}

/** `json-key` lookup (FC json-sql `pointer.rs`): `$` or empty is the record; `a.b`, `.a.b`, `$.a.b` a path. */
export function lookupJsonKey(record: Json, jsonKey: string): Json | undefined {
  if (jsonKey === '$' || jsonKey === '') return record;
  const path = (jsonKey.startsWith('$.') ? jsonKey.slice(2) : jsonKey).replace(/\./g, '/');
  const tokens = (path.startsWith('/') ? path : `/${path}`).split('/').slice(1).map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: Json | undefined = record;
  for (const token of tokens) {
    if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(token)) node = node[Number(token)];
    else if (typeof node === 'object' && node !== null && !Array.isArray(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

/**
 * `infinyon/json-sql` (Hub map SmartModule, FC `smartmodules/json-sql`): a JSON record becomes the
 * SQL model's `{"Insert": {"table", "values": [{"column", "raw_value", "type"}]}}`, one value per
 * mapped column. A missing field takes its `default`, else fails the record when `required`, else
 * is an empty string. Strings are taken as is, other values as compact JSON.
 */
export const JsonSqlParamsSchema = z.strictObject({
  mapping: jsonParameter(
    'a mapping {table, map-columns: {column: {json-key, value: {type, default, required}}}}',
    (value) => {
      const result = SqlMappingSchema.safeParse(value);
      if (result.success) return result.data;
      throw result.error;
    },
    (err) => {
      if (!(err instanceof z.ZodError)) return undefined;
      const first = err.issues[0];
      return { path: (first?.path ?? []).filter((segment): segment is string | number => typeof segment !== 'symbol'), message: first?.message ?? 'invalid mapping' };
    },
  ).describe('The table and its columns: for each column the record field (`json-key`: `a.b` or `$` for the whole record) and `value: {type, default, required}`.'),
});

export const jsonSql: TransformDefinition<typeof JsonSqlParamsSchema> = {
  name: 'infinyon/json-sql',
  kind: 'map',
  summary: 'JSON record to the SQL model of an INSERT (for SQL sinks)',
  params: JsonSqlParamsSchema,
  load: async () => {
    const [{ perRecordStep }, json] = await Promise.all([import('../per-record'), import('../json')]);
    return {
      create: ({ mapping }) =>
        perRecordStep({
          kind: 'map',
          fn: (record) => {
            const input = json.parseRecordJson(record.value);
            const values: SqlValue[] = Object.entries(mapping['map-columns']).map(([column, spec]) => {
              const found = lookupJsonKey(input, spec['json-key']);
              let raw: string;
              if (found === undefined) {
                if (spec.value.default !== undefined) raw = spec.value.default;
                else if (spec.value.required) throw new Error(`Missing required field: ${spec['json-key']}`);
                else raw = '';
              } else raw = typeof found === 'string' ? found : json.stringifySorted(found);
              return { column, raw_value: raw, type: SQL_TYPES[spec.value.type] as string };
            });
            return { key: record.key, value: JSON.stringify({ Insert: { table: mapping.table, values } }) };
          },
        }),
    };
  },
};
