import { createBodyFormatter, jsonHeaders, responseHead } from '../../../../lib/connectors/http-source/formatter';
import { CharsetResolver, charsetLabel } from '../../../../lib/connectors/http-source/charset';
import { CapturingLogger } from '../../../support/source-context';

const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('connectors/http-source/formatter', () => {
  describe('responseHead', () => {
    it('should lower-case names and group repeated headers like reqwest HeaderMap', () => {
      // Prepare
      const response = {
        httpVersion: '1.1',
        status: 200,
        headers: [
          ['X-Multi', '1'],
          ['Content-Type', 'text/plain'],
          ['x-multi', '2'],
        ] as const,
      };
      // Act
      const head = responseHead(response);
      // Assess
      expect(head.headers).toEqual([
        ['x-multi', '1'],
        ['x-multi', '2'],
        ['content-type', 'text/plain'],
      ]);
      expect(head.version).toBe('HTTP/1.1');
      expect(head.reason).toBe('OK');
    });

    it('should print versions like Rust Debug and use canonical reasons, not the server phrase', () => {
      expect(responseHead({ httpVersion: '2.0', status: 203, headers: [] })).toMatchObject({
        version: 'HTTP/2.0',
        reason: 'Non Authoritative Information',
      });
      expect(responseHead({ httpVersion: '1.0', status: 599, headers: [] })).toMatchObject({ version: 'HTTP/1.0', reason: undefined });
    });
  });

  describe('jsonHeaders', () => {
    it('should sort names and turn a repeated header into an array in wire order', () => {
      const head = responseHead({ httpVersion: '1.1', status: 200, headers: [['Zeta', 'z'], ['Set-Cookie', 'b=2'], ['alpha', 'a'], ['set-cookie', 'a=1']] });
      const json = jsonHeaders(head);
      expect(JSON.stringify(json)).toBe('{"alpha":"a","set-cookie":["b=2","a=1"],"zeta":"z"}');
    });
  });

  describe('createBodyFormatter', () => {
    const head = responseHead({ httpVersion: '1.1', status: 599, headers: [['X-A', '1']] });

    it('should leave an empty reason for a code without a canonical phrase (text/full)', () => {
      const format = createBodyFormatter({ output_parts: 'full', output_type: 'text' }, () => head, utf8);
      expect(format('body')).toBe('HTTP/1.1 599 \nx-a: 1\n\nbody');
    });

    it('should omit status.string for a code without a canonical phrase (json/full)', () => {
      const format = createBodyFormatter({ output_parts: 'full', output_type: 'json' }, () => head, utf8);
      expect(format(Buffer.from('b"\n'))).toBe('{"status":{"version":"HTTP/1.1","code":599},"header":{"x-a":"1"},"body":"b\\"\\n"}');
    });

    it.each(['text', 'json'] as const)('should not build the response head for a body record (%s/body)', (outputType) => {
      const head = jest.fn(() => responseHead({ httpVersion: '1.1', status: 200, headers: [] }));
      const format = createBodyFormatter({ output_parts: 'body', output_type: outputType }, head, utf8);
      expect(format('x')).toBe(outputType === 'text' ? 'x' : '{"body":"x"}');
      expect(head).not.toHaveBeenCalled();
    });

    it('should escape control characters like serde_json (json/body)', () => {
      const format = createBodyFormatter({ output_parts: 'body', output_type: 'json' }, () => head, utf8);
      expect(format('\u0001\t/é')).toBe('{"body":"\\u0001\\t/é"}');
    });
  });

  describe('charset', () => {
    it.each([
      ['text/plain; charset="ISO-8859-1"', 'ISO-8859-1'],
      ['text/plain;charset=utf-8', 'utf-8'],
      ['application/json', undefined],
      ['not a mime type', undefined],
      [undefined, undefined],
    ])('should read the charset of %p', (contentType, expected) => {
      expect(charsetLabel(contentType)).toBe(expected);
    });

    it('should map labels with the WHATWG table and fall back to UTF-8 with one warning per label', () => {
      // Prepare
      const resolver = new CharsetResolver();
      const log = new CapturingLogger();
      const unknown = [['Content-Type', 'text/plain; charset=klingon']] as const;
      // Act
      const latin1 = resolver.resolve([['content-type', 'text/plain; charset=latin1']], log);
      const first = resolver.resolve(unknown, log);
      const second = resolver.resolve(unknown, log);
      // Assess
      expect(latin1).toBe('windows-1252');
      expect([first, second]).toEqual(['utf-8', 'utf-8']);
      expect(log.find('unknown response charset')).toHaveLength(1);
      expect(log.entries[0]).toMatchObject({ level: 'warn', fields: { charset: 'klingon' } });
    });
  });
});
