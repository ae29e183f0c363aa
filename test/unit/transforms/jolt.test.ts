import { ErrorCode } from '../../../lib/core';
import { parseConnectorConfig } from '../../../lib/config';
import { defaultRegistry } from '../../../lib/connectors';
import { runSteps, values } from '../../support/transforms';

// Inputs, specs and expected outputs are the examples of the public docs of the Hub SmartModule
// `infinyon/jolt` and of the fluvio-jolt library it wraps (sources named on each case).
describe('transform infinyon/jolt', () => {
  describe('the example of the Jolt SmartModule page (fluvio.io "JSON to JSON Transformations": remove, shift, default)', () => {
    const step = {
      uses: 'infinyon/jolt@0.1.0',
      with: {
        spec: [
          { operation: 'remove', spec: { id: '' } },
          { operation: 'shift', spec: { '*': 'data.&0' } },
          { operation: 'default', spec: { data: { source: 'http-connector' } } },
        ],
      },
    };

    it.each([
      ['{}', '{"data":{"source":"http-connector"}}'],
      ['{"id":1, "name": "John Smith", "account": "1111" }', '{"data":{"account":"1111","name":"John Smith","source":"http-connector"}}'],
      ['{"id":1, "name": "John Smith", "account": "1111", "type": "custom" }', '{"data":{"account":"1111","name":"John Smith","source":"http-connector","type":"custom"}}'],
      ['{"id":1, "name": "John Smith", "source":"mqtt-connector" }', '{"data":{"name":"John Smith","source":"mqtt-connector"}}'],
    ])('should turn %s into %s', async (input, expected) => {
      // Act
      const output = await values(step, [input]);

      // Assess
      expect(output).toEqual([expected]);
    });
  });

  it('should unwrap the device and add its type as in the jolt SmartModule README (fluvio-connectors smartmodules/jolt)', async () => {
    // Prepare
    const step = {
      uses: 'infinyon/jolt@0.1.0',
      with: {
        spec: [
          { operation: 'shift', spec: { payload: { device: 'device' } } },
          { operation: 'default', spec: { device: { type: 'mobile' } } },
        ],
      },
    };

    // Act
    const output = await values(step, ['{"mqtt_topic":"ag-mqtt-topic","payload":{"device":{"device_id":0,"name":"device0"}}}']);

    // Assess
    expect(JSON.parse(output[0] as string)).toEqual({ device: { device_id: 0, name: 'device0', type: 'mobile' } });
  });

  it('should use @(…), &(n) indexes and $ keys as in the jolt 0.3.0 SmartModule README (RSS items)', async () => {
    // Prepare: the README writes the spec as one operation, not a list
    const step = {
      uses: 'infinyon/jolt@0.3.0',
      with: { spec: { operation: 'shift', spec: { items: { '*': { '@(guid.value)': 'data[&(1)].guid', '*': { $: 'data[&(2)].keys[]' } } } } } },
    };
    const input = {
      description: 'top description',
      items: [
        { description: 'inner description 1', guid: { permalink: true, value: 'https://example.com/link1-1' }, link: 'https://example.com/link1', pub_date: 'Tue, 18 Apr 2023 14:59:04 GMT', title: 'Title 1' },
        { description: 'inner description 2', guid: { permalink: true, value: 'https://example.com/link2-1' }, link: 'https://example.com/link2', pub_date: 'Tue, 19 Apr 2023 14:20:04 GMT', title: 'Title 2' },
      ],
      last_build_date: 'Tue, 18 Apr 2023 15:00:01 GMT',
      link: 'https://example.com/top-link',
      namespaces: { blogChannel: 'http://example.com/blogChannelModule' },
      title: 'Blog-Recent Entries',
    };

    // Act
    const output = await values(step, [JSON.stringify(input)]);

    // Assess
    const keys = ['description', 'guid', 'link', 'pub_date', 'title'];
    expect(JSON.parse(output[0] as string)).toEqual({ data: [{ guid: 'https://example.com/link1-1', keys }, { guid: 'https://example.com/link2-1', keys }] });
  });

  it('should repack a record as in the fluvio-jolt crate documentation (lib.rs)', async () => {
    // Act
    const output = await values(
      { uses: 'infinyon/jolt@0.4.1', with: { spec: [{ operation: 'shift', spec: { name: 'data.name', account: 'data.account' } }] } },
      ['{"id":1,"name":"John Smith","account":{"id":1000,"type":"Checking"}}'],
    );

    // Assess
    expect(output).toEqual(['{"data":{"account":{"id":1000,"type":"Checking"},"name":"John Smith"}}']);
  });

  it.each([
    [
      'variables: & captures of each level (tests/data/variables.json)',
      [{ operation: 'shift', spec: { foo: { bar: { baz: 'new_location.&.&(1).&(2)' } } } }],
      { foo: { bar: { baz: 'value' } } },
      { new_location: { baz: { bar: { foo: 'value' } } } },
    ],
    [
      'a literal key wins over * (tests/data/shift_wildcards.json)',
      [{ operation: 'shift', spec: { name: '__data.name', '*': '__data.&0' } }],
      { name: 'John Smith', account: { id: 1000, type: 'Checking' }, secondary_account: { id: 1001, type: 'Checking' } },
      { __data: { name: 'John Smith', account: { id: 1000, type: 'Checking' }, secondary_account: { id: 1001, type: 'Checking' } } },
    ],
    [
      '@1 keeps the items that have a field (tests/data/shift/rss.json)',
      [{ operation: 'shift', spec: { data: { '*': { rss_url: { '@1': 'data[]' } } } } }],
      { meta: { credit: 'PACER' }, data: [{ title: 'A', circuit: '01' }, { title: 'B', rss_url: 'https://b', circuit: '02' }, { title: 'C', rss_url: 'https://c', circuit: '04' }] },
      { data: [{ title: 'B', rss_url: 'https://b', circuit: '02' }, { title: 'C', rss_url: 'https://c', circuit: '04' }] },
    ],
  ])('should follow the fluvio-jolt test case: %s', async (_name, spec, input, expected) => {
    // Act
    const output = await values({ uses: 'infinyon/jolt@0.4.1', with: { spec } }, [JSON.stringify(input)]);

    // Assess
    expect(JSON.parse(output[0] as string)).toEqual(expected);
  });

  it('should make an array when two keys write the same output path, and keep the record key', async () => {
    // Act
    const result = await runSteps([{ uses: 'infinyon/jolt@0.4.1', with: { spec: [{ operation: 'shift', spec: { a: 'both', b: 'both', 'x*': 'starred.&(0,1)' } }] } }], [
      { key: 'k1', value: '{"a":1,"b":2,"xyz":3}' },
    ]);

    // Assess
    expect(result.records).toEqual([{ origin: 0, key: 'k1', value: '{"both":[1,2],"starred":{"yz":3}}' }]);
  });

  it('should fail a record that is not JSON, and only that record', async () => {
    // Act
    const result = await runSteps([{ uses: 'infinyon/jolt@0.4.1', with: { spec: [{ operation: 'default', spec: { ok: true } }] } }], ['{"a":1}', 'not json', '{"b":2}']);

    // Assess
    expect(result.records.map((record) => record.value)).toEqual(['{"a":1,"ok":true}', '{"b":2,"ok":true}']);
    expect(result.failures).toEqual([expect.objectContaining({ origin: 1, cause: 'error', message: expect.stringContaining('record value is not JSON') })]);
  });

  it('should never let a record key "__proto__" change an object prototype', async () => {
    // Act
    const output = await values({ uses: 'infinyon/jolt@0.4.1', with: { spec: [{ operation: 'shift', spec: { '*': 'out.&0' } }] } }, ['{"__proto__":{"polluted":true},"a":1}']);

    // Assess
    expect(JSON.parse(output[0] as string)).toEqual(JSON.parse('{"out":{"__proto__":{"polluted":true},"a":1}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('should report a bad spec key at validate time, located at the YAML node', () => {
    // Prepare
    const text = [
      'apiVersion: 0.2.0',
      'meta: {version: 0.1.0, name: j, type: test-connector, topic: t}',
      'transforms:',
      '  - uses: infinyon/jolt@0.4.1',
      '    with:',
      '      spec:',
      '        - operation: shift',
      '          spec:',
      '            "a(b": out',
      '',
    ].join('\n');

    // Act
    const act = () => parseConnectorConfig(text, { file: 'c.yaml', registry: defaultRegistry });

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: ErrorCode.CONFIG_INVALID_VALUE }));
    expect(act).toThrow(/^c\.yaml:9:13: transforms\[0\]\.with\.spec\[0\]\.spec\["a\(b"\]: invalid key: unexpected "\(" at position 1 of "a\(b"/);
  });
});
