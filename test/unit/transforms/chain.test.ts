import { join } from 'node:path';
import { tempDir } from '../../support/cli';
import { writeSmartModule } from '../../support/smartmodules';
import { runSteps } from '../../support/transforms';

jest.setTimeout(30_000);

describe('transform chain', () => {
  it('should run filter → map → array-map in order, each step on the previous step\'s output (built-in transforms)', async () => {
    // Prepare
    const steps = [
      { uses: 'infinyon/regex-filter@0.2.0', with: { regex: 'fruit' } },
      { uses: 'infinyon/jolt@0.4.1', with: { spec: [{ operation: 'shift', spec: { items: '' } }] } },
      { uses: 'infinyon-labs/array-map-json@0.1.0' },
    ];

    // Act
    const result = await runSteps(steps, ['{"kind":"fruit","items":["apple","pear"]}', '{"kind":"veg","items":["leek"]}', '{"kind":"fruit","items":["fig"]}']);

    // Assess
    expect(result.records.map((record) => [record.origin, record.value])).toEqual([
      [0, '"apple"'],
      [0, '"pear"'],
      [2, '"fig"'],
    ]);
    expect(result.filtered).toBe(1);
    expect(result.failures).toEqual([]);
  });

  it('should run filter → map → array-map with SmartModule files, and mix them with built-in transforms', async () => {
    // Prepare
    const { dir, cleanup } = tempDir('connector-chain-');
    try {
      for (const name of ['filter', 'map', 'array-map']) await writeSmartModule(name, dir);
      const steps = [
        { uses: './filter.wasm', with: { key: ',' } },
        { uses: './map.wasm' },
        { uses: './array-map.wasm' },
        { uses: 'infinyon/regex-filter@0.2.0', with: { regex: '^[A-Z]+$' } },
      ];

      // Act: relative paths resolve against the chain's base directory (the config file's)
      const result = await runSteps(steps, ['a,b', 'no comma', 'c,d,e1'], dir);

      // Assess
      expect(result.records.map((record) => [record.origin, record.value])).toEqual([
        [0, 'A'],
        [0, 'B'],
        [2, 'C'],
        [2, 'D'],
      ]);
      expect(result.filtered).toBe(1);
    } finally {
      cleanup();
    }
  });

  it('should report a source record once, at the step that failed it, and produce none of its outputs', async () => {
    // Prepare: the first array-map splits the first record in two; the second array-map then fails on the element that is not an array
    const steps = [{ uses: 'infinyon-labs/array-map-json@0.1.0' }, { uses: 'infinyon/array-map-json@0.1.1', on_error: 'skip' }];

    // Act
    const result = await runSteps(steps, ['[[1,2],{"a":1}]', '[[3]]']);

    // Assess
    expect(result.records.map((record) => [record.origin, record.value])).toEqual([[1, '3']]);
    expect(result.failures).toEqual([expect.objectContaining({ origin: 0, step: expect.objectContaining({ index: 1, uses: 'infinyon/array-map-json@0.1.1', onError: 'skip' }) })]);
    expect(result.filtered).toBe(0);
  });

  it('should resolve group/name@x.y.z to <name>.wasm next to the config when it is not built in', async () => {
    // Prepare
    const { dir, cleanup } = tempDir('connector-chain-');
    try {
      await writeSmartModule('map', dir, 'shout.wasm');

      // Act
      const result = await runSteps([{ uses: 'acme/shout@0.1.0' }], ['hi'], join(dir));

      // Assess
      expect(result.records.map((record) => record.value)).toEqual(['HI']);
    } finally {
      cleanup();
    }
  });
});
