import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { certificatePem, issue, privateKeyPem, type Issued, type IssueOptions } from '../../src/cli/dev-pki.js';

/** A DNIe-like PKI made per test run: root → issuing CA → citizen certificates. */
export interface TestPki {
  root: Issued;
  issuing: Issued;
  /** Issues a citizen certificate under `issuing` (DNIe authentication profile by default). */
  citizen(overrides?: Partial<IssueOptions> & { dni?: string }): Promise<Issued>;
}

const DAY_MS = 24 * 3600 * 1000;

export async function makeDniePki(options: { rootCn?: string } = {}): Promise<TestPki> {
  const root = await issue({
    subject: [{ C: ['ES'] }, { O: ['eid-idp tests'] }, { CN: [options.rootCn ?? 'TEST RAIZ DNIE'] }],
    ca: {},
    notBefore: new Date(Date.now() - 30 * DAY_MS),
    notAfter: new Date(Date.now() + 3650 * DAY_MS),
  });
  const issuing = await issue({
    subject: [{ C: ['ES'] }, { O: ['eid-idp tests'] }, { CN: ['TEST AC DNIE 004'] }],
    issuer: root,
    ca: { pathLength: 0 },
    notBefore: new Date(Date.now() - 30 * DAY_MS),
    notAfter: new Date(Date.now() + 1825 * DAY_MS),
  });
  return {
    root,
    issuing,
    citizen: (overrides = {}) => {
      const { dni = '00000000T', ...rest } = overrides;
      return issue({
        subject: dnieSubject(dni),
        issuer: issuing,
        keyUsage: x509.KeyUsageFlags.digitalSignature,
        policies: ['2.16.724.1.2.2.2.4'],
        ...rest,
      });
    },
  };
}

export function dnieSubject(dni: string, kind: 'AUTENTICACIÓN' | 'FIRMA' = 'AUTENTICACIÓN'): x509.JsonName {
  return [
    { C: ['ES'] },
    { '2.5.4.5': [dni] },
    { SN: ['ESPAÑOL ESPAÑOL'] },
    { G: ['JUAN'] },
    { CN: [`ESPAÑOL ESPAÑOL, JUAN (${kind})`] },
  ];
}

/** Writes a certificate and its key as PEM files for command-line clients; returns paths. */
export async function writeCredentials(
  issued: Issued,
  chain: Issued[] = [],
): Promise<{ dir: string; cert: string; key: string; chain: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-cred-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const chainFile = path.join(dir, 'chain.pem');
  writeFileSync(cert, certificatePem(issued));
  writeFileSync(key, await privateKeyPem(issued.keys), { mode: 0o600 });
  writeFileSync(chainFile, [issued, ...chain].map((c) => certificatePem(c)).join(''));
  return { dir, cert, key, chain: chainFile };
}
