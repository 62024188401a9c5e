import cluster from 'node:cluster';
import { openSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { MappingRegistry } from '../../src/identity/mapping-registry.js';
import { createLogger } from '../../src/observability/logger.js';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { startIdp } from '../../src/server/start-idp.js';
import { acceptControl, announceReady, BENCH_CLIENT, COOKIE_KEYS, readSettings } from './common.js';
import { openBenchStore } from './store.js';

/**
 * eid-idp as a benchmark server: the real startIdp with the bench's PKI as trust store, one
 * relying party, and its log at "info" written synchronously to /dev/null (what production
 * formats and writes to stdout, minus the disk). With `workers` > 1 a node cluster primary
 * forks that many IdP processes on the same ports (they must share Redis). The rate limit is
 * off: every bench login comes from one loopback address.
 */
const { settings, material } = readSettings();
const workers = settings.workers ?? 1;

if (workers > 1 && cluster.isPrimary) {
  const pids: number[] = [];
  let ready = 0;
  for (let i = 0; i < workers; i += 1) {
    const worker = cluster.fork();
    pids.push(worker.process.pid!);
    worker.on('message', (message: { ready?: boolean }) => {
      if (message.ready && (ready += 1) === workers) announceReady({ workers: pids });
    });
    worker.on('exit', (code) => {
      if (code !== 0) process.exit(1);
    });
  }
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    setTimeout(() => process.exit(0), 500).unref();
  });
} else {
  const store = await openBenchStore(
    settings.store ?? 'memory',
    settings.redisUrl ?? 'redis://127.0.0.1:6379',
    settings.redisPrefix ?? 'bench:',
  );
  const parse = (pem: string) => ParsedCertificate.fromPemOrDer(pem)[0]!;
  const trustStore = TrustStore.fromCertificates({
    anchors: [{ certificate: parse(material.rootPem), profile: 'es-dnie', environment: 'test' }],
    intermediates: [parse(material.issuingPem)],
  });
  const idp = await startIdp({
    issuer: `https://localhost:${settings.ports.oidc}`,
    certificateOrigin: `https://localhost:${settings.ports.certificate}`,
    listen: {
      oidc: { host: settings.host, port: settings.ports.oidc },
      certificate: { host: settings.host, port: settings.ports.certificate },
    },
    serverKeyPair: { cert: `${material.tlsCertPem}${material.tlsCaPem}`, key: material.tlsKeyPem },
    certificateOriginTls: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
    trustStore,
    mapping: new MappingRegistry(),
    clients: [
      {
        client_id: BENCH_CLIENT.client_id,
        client_secret: BENCH_CLIENT.client_secret,
        redirect_uris: [BENCH_CLIENT.redirect_uri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        subject_type: 'pairwise',
      },
    ],
    jwks: JSON.parse(material.jwks),
    subjectKey: Buffer.from('bench-subject-key-0123456789abcdef'),
    cookieKeys: COOKIE_KEYS,
    store,
    logger: createLogger(settings.logLevel ?? 'info', synchronousFile(settings.logFile ?? '/dev/null')),
    login: {
      interactionTtlSeconds: 600,
      handleTtlSeconds: 60,
      sessionTtlSeconds: 3600,
      grantTtlSeconds: 3600,
      requirePkceForConfidentialClients: true,
    },
  });
  const shutdown = async () => {
    await idp.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('disconnect', () => void shutdown());
  if (cluster.isWorker) process.send!({ ready: true });
  else {
    acceptControl();
    announceReady({ issuer: idp.issuer, certificateOrigin: idp.certificateOrigin });
  }
}

/**
 * The log written the way production writes it: `eid-idp start` logs to stdout, and Node
 * writes stdout synchronously on Linux (files and pipes). An fs.WriteStream would instead
 * hand every line to the libuv thread pool, a cost production does not have.
 */
function synchronousFile(file: string): Writable {
  const fd = openSync(file, 'a');
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      writeSync(fd, chunk);
      done();
    },
  });
}

