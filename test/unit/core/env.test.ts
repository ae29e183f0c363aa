import { ConnectorEnv, encodeRuntimeEnv, ErrorCode, parseRuntimeEnv, RuntimeDefaults } from '../../../lib/core';

describe('core/env', () => {
  it('should apply the runtime defaults when the variables are unset or empty', () => {
    // Act
    const env = parseRuntimeEnv({ [ConnectorEnv.WINDOW_MS]: '', UNRELATED: 'x' });

    // Assess
    expect(env).toMatchObject({
      [ConnectorEnv.WINDOW_MS]: RuntimeDefaults.windowMs,
      [ConnectorEnv.MARGIN_MS]: RuntimeDefaults.marginMs,
      [ConnectorEnv.WINDOW_ANCHOR]: 'epoch',
      [ConnectorEnv.STREAM_PREFIX]: '',
      [ConnectorEnv.NO_CREATE_TOPIC]: false,
    });
    expect(env).not.toHaveProperty('UNRELATED');
  });

  it('should type the values: numbers, flags and the secrets map', () => {
    const env = parseRuntimeEnv({
      [ConnectorEnv.WINDOW_MS]: '300000',
      [ConnectorEnv.WINDOW_ANCHOR]: 'event',
      [ConnectorEnv.NO_CREATE_TOPIC]: '1',
      [ConnectorEnv.TOPICS]: 'kinesis',
      [ConnectorEnv.SECRETS]: '{"API_TOKEN":"/connectors/dev/API_TOKEN"}',
    });
    expect(env).toMatchObject({
      [ConnectorEnv.WINDOW_MS]: 300_000,
      [ConnectorEnv.WINDOW_ANCHOR]: 'event',
      [ConnectorEnv.NO_CREATE_TOPIC]: true,
      [ConnectorEnv.TOPICS]: 'kinesis',
      [ConnectorEnv.SECRETS]: { API_TOKEN: '/connectors/dev/API_TOKEN' },
    });
  });

  it.each([
    [ConnectorEnv.WINDOW_MS, 'soon', 'expected a number of milliseconds'],
    [ConnectorEnv.WINDOW_ANCHOR, 'noon', 'epoch'],
    [ConnectorEnv.TOPICS, 'kafka', 'local'],
    [ConnectorEnv.SECRETS, '[1]', 'expected a JSON object'],
    [ConnectorEnv.STREAM_PREFIX, 'dev/', 'stream name characters'],
  ])('should refuse %s=%p with USAGE, naming the variable and its value', (name, value, expected) => {
    // Act
    let error: unknown;
    try {
      parseRuntimeEnv({ [name]: value });
    } catch (err) {
      error = err;
    }

    // Assess
    expect(error).toMatchObject({ code: ErrorCode.USAGE });
    expect((error as Error).message).toContain(`environment variable ${name} is ${JSON.stringify(value)}`);
    expect((error as Error).message).toContain(expected);
  });

  it('should let a generator write only what the runtime accepts', () => {
    expect(encodeRuntimeEnv({ [ConnectorEnv.CONFIG]: 'x: 1', [ConnectorEnv.WINDOW_MS]: '60000' })).toEqual({ CONNECTOR_CONFIG: 'x: 1', CONNECTOR_WINDOW_MS: '60000' });
    expect(() => encodeRuntimeEnv({ [ConnectorEnv.WINDOW_MS]: '1m' })).toThrow('runtime environment breaks its contract');
  });
});
