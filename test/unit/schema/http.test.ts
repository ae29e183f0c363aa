import { headerValueProblem, HttpHeaderLineSchema, HttpMethodSchema, httpUrlSchema, methodWarning, urlProblem } from '../../../lib/schema';

describe('Schema: HttpHeaderLineSchema', () => {
  it('should split "Name: value" at the first colon and trim the value', () => {
    // Act
    const parsed = HttpHeaderLineSchema.parse('Authorization:  Bearer a:b ');

    // Assess
    expect(parsed).toEqual(['Authorization', 'Bearer a:b']);
  });

  it.each([
    ['no colon', 'Accept text/plain', 'expected a header as "Name: value"'],
    ['a name with a space', 'X Y: 1', 'expected a header as "Name: value"'],
    ['CR LF in the value', 'X: a\r\nY: b', 'without control characters'],
    ['NUL in the value', 'X: a\u0000', 'without control characters'],
    ['DEL in the value', 'X: a\u007f', 'without control characters'],
    ['a character above U+00FF', 'X: \u20ac', 'above U+00FF'],
    ['Host', 'host: example.com', 'expected no Host header'],
    ['Content-Length', 'Content-Length: 1', 'expected no Content-Length header'],
    ['Transfer-Encoding', 'TRANSFER-ENCODING: chunked', 'expected no Transfer-Encoding header'],
  ])('should refuse %s', (_case, line, message) => {
    // Act
    const result = HttpHeaderLineSchema.safeParse(line);

    // Assess
    expect(result.error?.issues[0]?.message).toContain(message);
  });

  it('should never repeat the value in its message (it may hold a secret)', () => {
    // Act
    const problem = headerValueProblem('s3cr3t\n');

    // Assess
    expect(problem).not.toContain('s3cr3t');
  });
});

describe('Schema: HttpMethodSchema', () => {
  it('should accept tokens, refuse CONNECT and non-tokens, and warn about non-standard methods', () => {
    // Act
    const results = ['GET', 'PROPFIND', 'get', 'CONNECT', 'connect', 'GE T', ''].map((method) => HttpMethodSchema.safeParse(method).success);

    // Assess
    expect(results).toEqual([true, true, true, false, false, false, false]);
    expect(methodWarning('GET')).toBeUndefined();
    expect(methodWarning('get')).toContain('did you mean "GET"?');
    expect(methodWarning('PROPFIND')).toBe('not a standard HTTP method (sent as written; the endpoint may refuse it)');
  });
});

describe('Function: urlProblem', () => {
  it.each([
    ['https://example.com/api?q=1#x', undefined],
    ['http://127.0.0.1:8080/', undefined],
    ['http://[::1]:1/', undefined],
    ['https://bücher.example/', undefined],
    ['https://example.com./', undefined],
    ['ftp://example.com/', 'expected an absolute http:// or https:// URL'],
    ['example.com', 'expected an absolute http:// or https:// URL'],
    ['http:/example.com', 'expected an absolute http:// or https:// URL'],
    ['http:///path', 'with a host name'],
    ['http://:80/', 'with a host name'],
    ['http://host:0/', 'with a port from 1 to 65535'],
    ['http://host:99999/', 'expected an absolute http:// or https:// URL'],
    ['http://./', 'not dots or an empty label'],
    ['http://a..b/', 'not dots or an empty label'],
    ['http://user:pw@host/', 'without credentials'],
    ['http://@host/', 'without credentials'],
    ['http://host/%zz', 'valid percent escapes'],
    ['http://host/a b', 'without spaces or control characters'],
    ['http://ho\tst/', 'without spaces or control characters'],
  ])('should judge %j', (url, problem) => {
    // Act
    const found = urlProblem(url);

    // Assess
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  it('should add the scheme hint of a refused scheme', () => {
    // Act
    const result = httpUrlSchema({ schemeHint: { ws: ' (not yet)' } }).safeParse('ws://example.com/');

    // Assess
    expect(result.error?.issues[0]?.message).toBe('expected an absolute http:// or https:// URL (not yet)');
  });
});
