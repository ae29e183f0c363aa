import { redactingLogger } from '../../../lib/core/log';
import { CapturingLogger } from '../../support/source-context';

describe('Function: redactingLogger', () => {
  const redact = (text: string): string => text.split('s3cr3t.example').join('***');

  it('should redact messages, nested strings, error messages and stacks, and child bindings', () => {
    // Prepare
    const capture = new CapturingLogger();
    const log = redactingLogger(capture, redact).child({ endpoint: 'https://s3cr3t.example/x' });
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND s3cr3t.example'), { code: 'ENOTFOUND' });

    // Act
    log.warn({ err: error, nested: { list: ['at s3cr3t.example:443'] }, count: 3 }, 'failed for s3cr3t.example');
    log.info('plain s3cr3t.example');

    // Assess
    expect(JSON.stringify(capture.entries)).not.toContain('s3cr3t.example');
    expect(capture.entries[0]).toMatchObject({
      level: 'warn',
      msg: 'failed for ***',
      fields: { endpoint: 'https://***/x', nested: { list: ['at ***:443'] }, count: 3, err: { type: 'Error', code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND ***' } },
    });
    expect(capture.entries[1]).toMatchObject({ level: 'info', msg: 'plain ***' });
  });
});
