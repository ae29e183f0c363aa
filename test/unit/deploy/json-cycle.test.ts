import { readFileSync } from 'node:fs';

/**
 * json-cycle as patched by patches/json-cycle+1.5.0.patch (osls writes `.serverless/serverless-state.json`
 * with its `stringify`). The expected text is what the unpatched 1.5.0 prints for the same value: the patch
 * changes how fast `decycle` is, not what it returns.
 */
const jc = require('json-cycle') as { stringify(value: unknown, replacer: null, space: number): string; decycle(value: unknown): unknown };

describe('json-cycle (patched)', () => {
  it('should be the patched file (npm ci runs patch-package)', () => {
    // Act
    const source = readFileSync(require.resolve('json-cycle'), 'utf8');

    // Assess
    expect(source).toContain('var paths = new Map();');
    expect(source).toContain("typeof value.toJSON === 'function'");
  });

  it('should print what the unpatched json-cycle 1.5.0 prints: $ref to the first path of a repeated object, cycles, toJSON results', () => {
    // Prepare
    const shared = { Ref: 'Bucket' };
    const statement = { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [shared] };
    const service: Record<string, unknown> = {
      when: new Date(Date.UTC(2026, 11, 3)),
      provider: { name: 'aws', stage: 'dev', missing: undefined, empty: null } as Record<string, unknown>,
      resources: { A: { Properties: { Bucket: shared, Policy: [statement, statement] } }, B: { toJSON: 'not a method', n: 3 }, D: { toJSON: () => ({ replaced: 1 }) } },
      list: [1, 'two', false, null],
    };
    service.self = service;
    (service.provider as Record<string, unknown>).service = service;

    // Act
    const text = jc.stringify(service, null, 2);

    // Assess
    expect(JSON.parse(text)).toEqual({
      when: '2026-12-03T00:00:00.000Z',
      provider: { name: 'aws', stage: 'dev', empty: null, service: { $ref: '$' } },
      resources: {
        A: {
          Properties: {
            Bucket: { Ref: 'Bucket' },
            Policy: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [{ $ref: '$["resources"]["A"]["Properties"]["Bucket"]' }] }, { $ref: '$["resources"]["A"]["Properties"]["Policy"][0]' }],
          },
        },
        B: { toJSON: 'not a method', n: 3 },
        D: { replaced: 1 },
      },
      list: [1, 'two', false, null],
      self: { $ref: '$' },
    });
    // Same key order and layout as the unpatched module (the file is compared as text by users' diffs).
    expect(text.split('\n').slice(0, 4)).toEqual(['{', '  "when": "2026-12-03T00:00:00.000Z",', '  "provider": {', '    "name": "aws",']);
  });

  it('should give equal objects met at different places their own copies (only the same object becomes a $ref)', () => {
    // Act
    const decycled = jc.decycle({ a: { Ref: 'X' }, b: { Ref: 'X' } });

    // Assess
    expect(decycled).toEqual({ a: { Ref: 'X' }, b: { Ref: 'X' } });
  });
});
