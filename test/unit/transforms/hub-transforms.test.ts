import { runSteps, values } from '../../support/transforms';

// Each case is the example of the SmartModule's own public docs, inputs and outputs written out.
describe('transform infinyon/regex-filter', () => {
  // fluvio.io "Regex" SmartModule page (smdk test with regex "[Cc]at").
  const step = { uses: 'infinyon/regex-filter@0.1.0', with: { regex: '[Cc]at' } };

  it('should keep a record whose value matches, as the docs example', async () => {
    // Act
    const output = await values(step, ['{"fact": "Cats have supersonic hearing"}']);

    // Assess
    expect(output).toEqual(['{"fact": "Cats have supersonic hearing"}']);
  });

  it('should drop (and count as filtered) a record whose value does not match, as the docs example', async () => {
    // Act
    const result = await runSteps([step], ['{"fact": "Dogs have sweat glands at the bottom of their paws"}']);

    // Assess
    expect(result.records).toEqual([]);
    expect(result.filtered).toBe(1);
    expect(result.failures).toEqual([]);
  });

  it('should understand a leading (?i) flag of Rust regex syntax', async () => {
    // Act
    const output = await values({ uses: 'infinyon/regex-filter@0.2.0', with: { regex: '(?i)^dog' } }, ['DOGS', 'cats', 'dogfish']);

    // Assess
    expect(output).toEqual(['DOGS', 'dogfish']);
  });

  it('should fail a record that is not UTF-8 text (as Rust str::from_utf8)', async () => {
    // Prepare
    const chain = await (await import('../../support/transforms')).openChain([step]);

    // Act
    const result = await chain.process([{ value: Buffer.from([0xff, 0xfe]) }, { value: Buffer.from('cat') }]);
    await chain.close();

    // Assess
    expect(result.records.map((record) => Buffer.from(record.value).toString())).toEqual(['cat']);
    expect(result.failures).toEqual([expect.objectContaining({ origin: 0, message: expect.stringContaining('not valid UTF-8') })]);
  });
});

describe('transform infinyon-labs/array-map-json', () => {
  it('should split the README example array into one record per element, with null keys', async () => {
    // Act: github.com/infinyon/labs-array-map-json README, "Expected Input" / "Expected Output"
    const result = await runSteps([{ uses: 'infinyon-labs/array-map-json@0.1.0' }], [{ key: 'batch', value: '[{"one": 1}, {"two": 2}]' }]);

    // Assess
    expect(result.records).toEqual([
      { origin: 0, key: null, value: '{"one":1}' },
      { origin: 0, key: null, value: '{"two":2}' },
    ]);
  });

  it('should answer to infinyon/array-map-json too, count an empty array as filtered and fail a non-array', async () => {
    // Act
    const result = await runSteps([{ uses: 'infinyon/array-map-json@0.1.1' }], ['[]', '{"not":"an array"}', '["a",1,null]']);

    // Assess
    expect(result.records.map((record) => record.value)).toEqual(['"a"', '1', 'null']);
    expect(result.filtered).toBe(1);
    expect(result.failures).toEqual([expect.objectContaining({ origin: 1, message: 'record value is not a JSON array (object)' })]);
  });
});

describe('transform infinyon/json-sql', () => {
  // fluvio.io "JSON to SQL Mapping" page: the mapping, the input, and the output it documents.
  const step = {
    uses: 'infinyon/json-sql@0.1.0',
    with: {
      mapping: {
        table: 'target_table',
        'map-columns': {
          device_id: { 'json-key': 'device.device_id', value: { type: 'int', required: true } },
          device_type: { 'json-key': 'device.type', value: { type: 'text', default: 'mobile' } },
          record: { 'json-key': '$', value: { type: 'jsonb', required: true } },
        },
      },
    },
  };

  it('should produce the documented Insert for the documented input', async () => {
    // Act
    const output = await values(step, ['{"device":{"device_id":1}}']);

    // Assess: Fluvio keeps the columns in a HashMap, so the docs show them in no particular order
    const insert = JSON.parse(output[0] as string) as { Insert: { table: string; values: { column: string }[] } };
    const documented = {
      Insert: {
        table: 'target_table',
        values: [
          { column: 'record', raw_value: '{"device":{"device_id":1}}', type: 'Json' },
          { column: 'device_type', raw_value: 'mobile', type: 'Text' },
          { column: 'device_id', raw_value: '1', type: 'Int' },
        ],
      },
    };
    const byColumn = (a: { column: string }, b: { column: string }): number => a.column.localeCompare(b.column);
    expect({ Insert: { ...insert.Insert, values: [...insert.Insert.values].sort(byColumn) } }).toEqual({ Insert: { ...documented.Insert, values: [...documented.Insert.values].sort(byColumn) } });
  });

  it('should fail a record missing a required field with the SmartModule\'s message, and default the optional ones', async () => {
    // Act
    const result = await runSteps([step], ['{"device":{"type":"tablet"}}', '{"device":{"device_id":7,"type":"tablet"}}']);

    // Assess
    expect(result.failures).toEqual([expect.objectContaining({ origin: 0, message: 'Missing required field: device.device_id' })]);
    expect(JSON.parse(result.records[0]?.value as string).Insert.values).toContainEqual({ column: 'device_type', raw_value: 'tablet', type: 'Text' });
  });

  it('should map the helsinki tutorial columns (float, int) with a numeric default', async () => {
    // Act: fluvio.io MQTT-to-SQL tutorial mapping (lat with default "0", long, vehicle)
    const output = await values(
      {
        uses: 'infinyon/json-sql@0.2.1',
        with: {
          mapping: {
            table: 'speed',
            'map-columns': {
              lat: { 'json-key': 'lat', value: { type: 'float', default: '0', required: true } },
              long: { 'json-key': 'long', value: { type: 'float', required: true } },
              vehicle: { 'json-key': 'vehicle', value: { type: 'int', required: true } },
            },
          },
        },
      },
      ['{"long":24.969189,"vehicle":240}'],
    );

    // Assess
    expect(JSON.parse(output[0] as string)).toEqual({
      Insert: {
        table: 'speed',
        values: [
          { column: 'lat', raw_value: '0', type: 'Float' },
          { column: 'long', raw_value: '24.969189', type: 'Float' },
          { column: 'vehicle', raw_value: '240', type: 'Int' },
        ],
      },
    });
  });
});
