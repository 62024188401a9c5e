import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { randomSecret, readOrCreateSecretFile, writeSecretFile } from '../config/secret-files.js';
import { certificatePem, issue, privateKeyPem, writePkcs12 } from './dev-pki.js';

/**
 * What first start creates in the data directory (outside git) so that the IdP runs with no
 * setup: a development TLS certificate, and, when the demo is on, a demo citizen PKI (a
 * test root and issuing CA trusted as the `es-dnie` profile, and a DNIe-profile citizen
 * certificate as .p12) and the demo relying party's secret. Existing files are reused.
 */
export interface DataDirectory {
  tls: { certFile: string; keyFile: string; caFile: string };
  subjectKeyFile: string;
  cookieKeysFile: string;
  signingKeysFile: string;
  demo: {
    trustDir: string;
    citizenP12: string;
    citizenPem: string;
    citizenKey: string;
    citizenPassword: string;
    relyingPartySecret: string;
  };
}

export function dataDirectoryLayout(dataDir: string): Omit<DataDirectory, 'demo'> & {
  demo: Omit<DataDirectory['demo'], 'citizenPassword' | 'relyingPartySecret'> & {
    passwordFile: string;
    relyingPartySecretFile: string;
  };
} {
  return {
    tls: {
      certFile: path.join(dataDir, 'tls', 'server.pem'),
      keyFile: path.join(dataDir, 'tls', 'server.key'),
      caFile: path.join(dataDir, 'tls', 'development-ca.pem'),
    },
    subjectKeyFile: path.join(dataDir, 'secrets', 'subject.key'),
    cookieKeysFile: path.join(dataDir, 'secrets', 'cookie-keys'),
    signingKeysFile: path.join(dataDir, 'secrets', 'signing-keys.json'),
    demo: {
      trustDir: path.join(dataDir, 'demo', 'trust'),
      citizenP12: path.join(dataDir, 'demo', 'citizen', 'juan-espanol.p12'),
      citizenPem: path.join(dataDir, 'demo', 'citizen', 'juan-espanol.pem'),
      citizenKey: path.join(dataDir, 'demo', 'citizen', 'juan-espanol.key'),
      passwordFile: path.join(dataDir, 'demo', 'citizen', 'password.txt'),
      relyingPartySecretFile: path.join(dataDir, 'demo', 'relying-party', 'client-secret'),
    },
  };
}

/** Creates the development TLS certificate for `hostnames` unless it already exists. */
export async function ensureDevelopmentTls(dataDir: string, hostnames: string[]): Promise<void> {
  const layout = dataDirectoryLayout(dataDir);
  if (existsSync(layout.tls.certFile) && existsSync(layout.tls.keyFile)) return;
  mkdirSync(path.dirname(layout.tls.certFile), { recursive: true, mode: 0o700 });
  const ca = await issue({
    subject: [{ CN: ['eid-idp development TLS CA'] }, { O: ['eid-idp development'] }],
    ca: { pathLength: 0 },
    notAfter: new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000),
  });
  const ipAddresses = ['127.0.0.1', '::1'];
  const dnsNames = [...new Set(['localhost', ...hostnames.filter((h) => !ipAddresses.includes(h))])];
  // RSA: `openssl s_client -sigalgs RSA+SHA256` (the DNIe case) also restricts what the
  // server may sign with, so the development server key must be RSA.
  const server = await issue({
    subject: [{ CN: ['localhost'] }, { O: ['eid-idp development'] }],
    issuer: ca,
    keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
    dnsNames,
    ipAddresses,
    notAfter: new Date(Date.now() + 397 * 24 * 3600 * 1000),
  });
  writeFileSync(layout.tls.caFile, certificatePem(ca));
  writeSecretFile(layout.tls.keyFile, await privateKeyPem(server.keys));
  writeFileSync(layout.tls.certFile, `${certificatePem(server)}${certificatePem(ca)}`);
}

/** Creates the demo citizen PKI and the demo relying party's secret unless they exist. */
export async function ensureDemo(dataDir: string): Promise<DataDirectory['demo']> {
  const layout = dataDirectoryLayout(dataDir).demo;
  const trustFile = path.join(layout.trustDir, 'trust.yaml');
  const relyingPartySecret = readOrCreateSecretFile(layout.relyingPartySecretFile, () =>
    randomSecret(32),
  ).trim();
  const citizenPassword = readOrCreateSecretFile(layout.passwordFile, () => randomSecret(9)).trim();
  if (!existsSync(trustFile) || !existsSync(layout.citizenP12)) {
    await writeDemoPki(layout, citizenPassword);
  }
  return {
    trustDir: layout.trustDir,
    citizenP12: layout.citizenP12,
    citizenPem: layout.citizenPem,
    citizenKey: layout.citizenKey,
    citizenPassword,
    relyingPartySecret,
  };
}

async function writeDemoPki(
  layout: ReturnType<typeof dataDirectoryLayout>['demo'],
  password: string,
): Promise<void> {
  const years = (n: number) => new Date(Date.now() + n * 365 * 24 * 3600 * 1000);
  const root = await issue({
    subject: [{ C: ['ES'] }, { O: ['eid-idp demo'] }, { CN: ['eid-idp DEMO RAIZ DNIE'] }],
    ca: {},
    notAfter: years(20),
  });
  const issuing = await issue({
    subject: [{ C: ['ES'] }, { O: ['eid-idp demo'] }, { CN: ['eid-idp DEMO AC DNIE 001'] }],
    issuer: root,
    ca: { pathLength: 0 },
    notAfter: years(10),
  });
  // The subject layout and policy of a DNIe 3.0/4.0 authentication certificate
  // (EID-PROFILES.md), for a fictitious citizen with a valid DNI check letter.
  const citizen = await issue({
    subject: [
      { C: ['ES'] },
      { '2.5.4.5': ['00000000T'] },
      { SN: ['ESPAÑOL ESPAÑOL'] },
      { G: ['JUAN'] },
      { CN: ['ESPAÑOL ESPAÑOL, JUAN (AUTENTICACIÓN)'] },
    ],
    issuer: issuing,
    keyUsage: x509.KeyUsageFlags.digitalSignature,
    policies: ['2.16.724.1.2.2.2.4'],
    notAfter: years(2),
  });

  mkdirSync(layout.trustDir, { recursive: true, mode: 0o700 });
  mkdirSync(path.dirname(layout.citizenP12), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(layout.trustDir, 'demo-root-ca.pem'), certificatePem(root));
  writeFileSync(path.join(layout.trustDir, 'demo-issuing-ca.pem'), certificatePem(issuing));
  writeFileSync(
    path.join(layout.trustDir, 'trust.yaml'),
    [
      '# Generated by eid-idp on first start: the demo citizen PKI. Test only.',
      'anchors:',
      '  - file: demo-root-ca.pem',
      '    profile: es-dnie',
      '    environment: test',
      'intermediates:',
      '  - file: demo-issuing-ca.pem',
      '',
    ].join('\n'),
  );
  writeFileSync(layout.citizenPem, certificatePem(citizen));
  writeSecretFile(layout.citizenKey, await privateKeyPem(citizen.keys));
  const chainFile = path.join(layout.trustDir, 'demo-issuing-ca.pem');
  await writePkcs12({
    file: layout.citizenP12,
    password,
    certificateFile: layout.citizenPem,
    keyFile: layout.citizenKey,
    chainFile,
    friendlyName: 'JUAN ESPAÑOL ESPAÑOL (AUTENTICACIÓN)',
  });
}

/** The development TLS CA, for clients that must trust the development server certificate. */
export function readDevelopmentCa(dataDir: string): string {
  return readFileSync(dataDirectoryLayout(dataDir).tls.caFile, 'utf8');
}
