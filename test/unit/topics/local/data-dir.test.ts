import { join } from 'node:path';
import { ErrorCode } from '../../../../lib/core/errors';
import { DATA_DIR_ENV, resolveDataDir } from '../../../../lib/topics/local';

describe('Function: resolveDataDir', () => {
  const cwd = '/work/project';

  it.each([
    { what: 'the --data-dir option over the environment', dataDir: '/srv/data', env: { [DATA_DIR_ENV]: '/env/dir' }, expected: '/srv/data' },
    { what: 'a relative --data-dir from cwd', dataDir: 'data', env: {}, expected: '/work/project/data' },
    { what: 'CONNECTOR_DATA_DIR without the option', dataDir: undefined, env: { [DATA_DIR_ENV]: '/env/dir' }, expected: '/env/dir' },
    { what: 'a relative CONNECTOR_DATA_DIR from cwd', dataDir: undefined, env: { [DATA_DIR_ENV]: 'rel' }, expected: '/work/project/rel' },
    { what: '<cwd>/.connector by default', dataDir: undefined, env: {}, expected: '/work/project/.connector' },
    { what: '<cwd>/.connector when CONNECTOR_DATA_DIR is empty', dataDir: undefined, env: { [DATA_DIR_ENV]: '' }, expected: '/work/project/.connector' },
  ])('should take $what', ({ dataDir, env, expected }) => {
    // Act
    const dir = resolveDataDir({ dataDir, env, cwd });

    // Assess
    expect(dir).toBe(expected);
  });

  it('should reject an empty --data-dir with a usage error', () => {
    // Act
    const resolveEmpty = (): string => resolveDataDir({ dataDir: ' ', env: {}, cwd });

    // Assess
    expect(resolveEmpty).toThrow(expect.objectContaining({ code: ErrorCode.USAGE }));
  });

  it('should default to the process environment and working directory', () => {
    // Prepare
    const saved = process.env[DATA_DIR_ENV];
    delete process.env[DATA_DIR_ENV];

    try {
      // Act
      const dir = resolveDataDir({});

      // Assess
      expect(dir).toBe(join(process.cwd(), '.connector'));
    } finally {
      if (saved !== undefined) process.env[DATA_DIR_ENV] = saved;
    }
  });
});
