import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../observability/logger.js';

/**
 * What happens to a connection whose request Node could not read.
 *
 * The certificate origin lets OpenSSL look at the client's chain without rejecting it
 * (`rejectUnauthorized: false`, the IdP validates the chain itself). When that look includes a
 * signature that does not verify — a forged chain naming a trusted CA — OpenSSL leaves the
 * failure on its error queue, and Node 20 reports it on the next read as an error of the
 * socket (library "rsa routines", "elliptic curve routines"…). Node's default then drops the
 * connection, so the person would see a network error instead of our refusal page.
 * Errors of those crypto libraries are such leftovers: a real fault of the TLS record layer
 * comes from "SSL routines". They are logged and the request goes on to be refused properly
 * (test/attacks/certificate-forgery.test.ts). Anything else gets Node's usual answer.
 */
const STALE_VERIFICATION_LIBRARIES = new Set([
  'rsa routines',
  'elliptic curve routines',
  'asn1 encoding routines',
  'x509 certificate routines',
  'digital envelope routines',
  'Provider routines',
  'bignum routines',
]);

export function handleClientErrors(server: Server, logger: Logger, listener: string): void {
  type ClientError = NodeJS.ErrnoException & { library?: string };
  server.on('clientError', (error: ClientError, socket: Socket) => {
    if (error.library !== undefined && STALE_VERIFICATION_LIBRARIES.has(error.library)) {
      logger.debug({ event: 'tls.stale_verification_error', listener, library: error.library });
      return;
    }
    // Otherwise exactly what Node's own handler (which a listener replaces) does: a short
    // answer unless a response is already under way, then the connection is destroyed (not
    // ended: a broken TLS connection might never finish ending, and close() would wait).
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent && error.code !== 'ECONNRESET') {
      const status =
        error.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : '400 Bad Request';
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    }
    socket.destroy();
  });
}
