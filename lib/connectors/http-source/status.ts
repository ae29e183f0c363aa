/**
 * The status line parts of Fluvio's `full` output, reproduced from the Rust `http` crate that
 * reqwest (and so Fluvio's http-source) uses.
 */

/**
 * Canonical reason phrases of the Rust `http` crate (`StatusCode::canonical_reason`). Fluvio's
 * `full` output prints these, not the phrase the server sent, so `HTTP/1.1 200 Fine` becomes
 * `HTTP/1.1 200 OK`, and an HTTP/2 response (which has no phrase on the wire) still gets one.
 * Some differ from Node's `http.STATUS_CODES` (203 "Non Authoritative Information", 418 "I'm a teapot").
 */
const CANONICAL_REASONS: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  102: 'Processing',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi-Status',
  208: 'Already Reported',
  226: 'IM Used',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Entity',
  423: 'Locked',
  424: 'Failed Dependency',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  510: 'Not Extended',
  511: 'Network Authentication Required',
};

/**
 * The canonical reason phrase of a status code, or `undefined` for codes the Rust `http` crate
 * does not name (Fluvio then prints an empty phrase in `text/full` and omits `string` in `json/full`).
 */
export function canonicalReason(code: number): string | undefined {
  return CANONICAL_REASONS[code];
}

/**
 * The HTTP version as Rust's `Debug` of `http::Version` prints it: `HTTP/0.9`, `HTTP/1.0`,
 * `HTTP/1.1`, `HTTP/2.0`, `HTTP/3.0`.
 *
 * @param httpVersion - version as Node reports it (`1.1`, `2.0`, or `2`).
 */
export function versionLabel(httpVersion: string): string {
  const [major = '1', minor = '0'] = httpVersion.split('.');
  return `HTTP/${major}.${minor}`;
}
