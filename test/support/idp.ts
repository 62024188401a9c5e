import { appendFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { ClientMetadata } from 'oidc-provider';
import * as x509 from '@peculiar/x509';
import { certificatePem, issue, privateKeyPem, type Issued } from '../../src/cli/dev-pki.js';
import { MappingRegistry } from '../../src/identity/mapping-registry.js';
import { createLogger } from '../../src/observability/logger.js';
import { generateJwks } from '../../src/oidc/signing-keys.js';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { startIdp, type IdpSettings, type RunningIdp } from '../../src/server/start-idp.js';
import { MemoryStore } from '../../src/store/memory.js';
import { ARTIFACTS_DIR } from './paths.js';
import { makeDniePki, type TestPki } from './pki.js';

/**
 * Every log line of every test IdP is also appended here, one file per test process, so
 * that test/zz-privacy/log-scan.test.ts (sorted last) can scan the logs of the whole suite
 * for personal data.
 */
export const SUITE_LOG_DIR = path.join(ARTIFACTS_DIR, 'logs');
const suiteLogFile = path.join(
  SUITE_LOG_DIR,
  `${path.basename(process.argv[1] ?? 'test', '.ts')}-${process.pid}.ndjson`,
);

let suiteLogReady = false;

function appendToSuiteLog(lines: string[]): void {
  if (lines.length === 0) return;
  if (!suiteLogReady) {
    mkdirSync(SUITE_LOG_DIR, { recursive: true });
    // Logs of earlier runs (a day old) go, so the scan reads this run and the directory stays small.
    for (const name of readdirSync(SUITE_LOG_DIR)) {
      const file = path.join(SUITE_LOG_DIR, name);
      if (Date.now() - statSync(file).mtimeMs > 24 * 3600 * 1000) rmSync(file, { force: true });
    }
    suiteLogReady = true;
  }
  appendFileSync(suiteLogFile, `${lines.join('\n')}\n`);
}

export const TEST_CLIENT_ID = 'test-rp';
export const TEST_CLIENT_SECRET = 'test-rp-secret-of-at-least-thirty-two-chars';
export const TEST_REDIRECT_URI = 'https://rp.example.test/callback';
export const PUBLIC_CLIENT_ID = 'test-public';

/** One development TLS CA and server certificate for the whole test process. */
let tlsMaterial: Promise<{ ca: Issued; server: Issued; keyPem: string }> | undefined;

export function testTls(): Promise<{ ca: Issued; server: Issued; keyPem: string }> {
  tlsMaterial ??= (async () => {
    const ca = await issue({ subject: [{ CN: ['eid-idp test TLS CA'] }], ca: { pathLength: 0 } });
    const server = await issue({
      subject: [{ CN: ['localhost'] }],
      issuer: ca,
      keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
    });
    return { ca, server, keyPem: await privateKeyPem(server.keys) };
  })();
  return tlsMaterial;
}

export interface TestIdp extends RunningIdp {
  pki: TestPki;
  /** PEM of the CA that issued the IdP's TLS certificate: clients trust it. */
  tlsCaPem: string;
  store: MemoryStore;
  /** Everything the IdP logged, one JSON object per line. */
  logLines(): Record<string, unknown>[];
}

export interface TestIdpOptions {
  pki?: TestPki;
  clients?: ClientMetadata[];
  extraAnchors?: Issued[];
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  handleTtlSeconds?: number;
  interactionTtlSeconds?: number;
  settings?: Partial<IdpSettings>;
  mapping?: MappingRegistry;
}

/** Starts a complete IdP on loopback ports chosen by the system, with a memory store. */
export async function startTestIdp(options: TestIdpOptions = {}): Promise<TestIdp> {
  const tls = await testTls();
  const pki = options.pki ?? (await makeDniePki());
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      const written = String(chunk).split('\n').filter(Boolean);
      lines.push(...written);
      appendToSuiteLog(written);
      done();
    },
  });
  const logger = createLogger('debug', sink);
  const store = new MemoryStore();
  const trustStore = TrustStore.fromCertificates({
    anchors: [
      { certificate: parsed(pki.root), profile: 'es-dnie', environment: 'test' },
      ...(options.extraAnchors ?? []).map((anchor) => ({
        certificate: parsed(anchor),
        environment: 'test' as const,
      })),
    ],
    intermediates: [parsed(pki.issuing)],
  });
  const idp = await startIdp({
    listen: { oidc: { host: '127.0.0.1', port: 0 }, certificate: { host: '127.0.0.1', port: 0 } },
    serverKeyPair: {
      cert: `${certificatePem(tls.server)}${certificatePem(tls.ca)}`,
      key: tls.keyPem,
    },
    certificateOriginTls: {
      minVersion: options.minVersion ?? 'TLSv1.2',
      maxVersion: options.maxVersion ?? 'TLSv1.2',
    },
    trustStore,
    mapping: options.mapping ?? new MappingRegistry(),
    clients: options.clients ?? [
      {
        client_id: TEST_CLIENT_ID,
        client_secret: TEST_CLIENT_SECRET,
        client_name: 'Test RP',
        redirect_uris: [TEST_REDIRECT_URI],
        post_logout_redirect_uris: ['https://rp.example.test/'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        subject_type: 'pairwise',
      },
      {
        client_id: PUBLIC_CLIENT_ID,
        client_name: 'Test public client',
        redirect_uris: [TEST_REDIRECT_URI],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        subject_type: 'public',
      },
    ],
    jwks: JSON.parse(generateJwks()),
    subjectKey: Buffer.from('test-subject-key-0123456789abcdef'),
    cookieKeys: ['test-cookie-key-0123456789abcdef'],
    store,
    logger,
    login: {
      interactionTtlSeconds: options.interactionTtlSeconds ?? 600,
      handleTtlSeconds: options.handleTtlSeconds ?? 60,
      sessionTtlSeconds: 3600,
      grantTtlSeconds: 3600,
      requirePkceForConfidentialClients: true,
    },
    ...options.settings,
  });
  return {
    ...idp,
    pki,
    tlsCaPem: certificatePem(tls.ca),
    store,
    logLines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    close: async () => {
      await idp.close();
      await store.close();
    },
  };
}

function parsed(issued: Issued): ParsedCertificate {
  return ParsedCertificate.fromDer(new Uint8Array(issued.certificate.rawData));
}
