import http from 'node:http';

/**
 * One plain-HTTP request to a loopback listener with headers exactly as given (repeats kept
 * apart on the wire) and, optionally, from another loopback source address.
 */
export function plainRequest(
  port: number,
  requestPath: string,
  options: {
    headers?: [string, string][];
    localAddress?: string;
    /** A urlencoded form body: the request becomes a POST (the login page's "Continue"). */
    form?: string;
  } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1',
      port,
      path: requestPath,
      method: options.form === undefined ? 'GET' : 'POST',
      localAddress: options.localAddress,
      headers: [
        ['Host', `localhost:${port}`],
        ...(options.form === undefined
          ? []
          : [
              ['Content-Type', 'application/x-www-form-urlencoded'],
              ['Content-Length', String(Buffer.byteLength(options.form))],
            ]),
        ...(options.headers ?? []),
      ].flat(),
    });
    request.once('error', reject);
    request.once('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.end(options.form);
  });
}
