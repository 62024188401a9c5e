import https from 'node:https';
import { certificateOriginTlsOptions } from '../../src/server/tls-options.js';
import { announceReady, readSettings } from './common.js';

/**
 * Reference for baseline (b): a bare Node `https` server with the certificate origin's own
 * TLS options (requestCert, TLS 1.2, no tickets, no renegotiation, the CA hint list) that
 * reads the peer certificate and answers 200. The gap between this and nginx is Node's; the
 * gap between this and the IdP's certificate route is eid-idp's.
 */
const { settings, material } = readSettings();
const tls = certificateOriginTlsOptions({
  serverKeyPair: { cert: `${material.tlsCertPem}${material.tlsCaPem}`, key: material.tlsKeyPem },
  caHintPems: [material.rootPem],
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.2',
});
const server = https.createServer(tls, (request, response) => {
  const peer = (request.socket as import('node:tls').TLSSocket).getPeerCertificate(false);
  response.writeHead(peer.raw ? 200 : 403, { connection: 'close', 'content-length': '2' });
  response.end('ok');
});
server.listen(settings.ports.certificate, settings.host, () => announceReady({}));
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
