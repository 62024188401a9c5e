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

/**
 * An Estonian-like PKI (ESTEID2018 layout, ECDSA P-384 keys throughout, as on the Estonian
 * ID card): root → "TEST of ESTEID2018" → citizen authentication certificates with NCP+.
 */
export async function makeEstonianPki(): Promise<TestPki> {
  const root = await issue({
    subject: [{ C: ['EE'] }, { O: ['eid-idp tests'] }, { CN: ['TEST of EE-GovCA2018'] }],
    ca: {},
    keyKind: 'ec-p384',
    notBefore: new Date(Date.now() - 30 * DAY_MS),
    notAfter: new Date(Date.now() + 3650 * DAY_MS),
  });
  const issuing = await issue({
    subject: [{ C: ['EE'] }, { O: ['eid-idp tests'] }, { CN: ['TEST of ESTEID2018'] }],
    issuer: root,
    ca: { pathLength: 0 },
    keyKind: 'ec-p384',
    notBefore: new Date(Date.now() - 30 * DAY_MS),
    notAfter: new Date(Date.now() + 1825 * DAY_MS),
  });
  return {
    root,
    issuing,
    citizen: (overrides = {}) => {
      const { dni: personalCode = '38001085718', ...rest } = overrides;
      return issue({
        subject: esteidSubject(personalCode),
        issuer: issuing,
        keyKind: 'ec-p384',
        keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
        // NCP+ marks the authentication certificate; the second is the card's own policy.
        policies: ['0.4.0.2042.1.2', '1.3.6.1.4.1.51361.1.1.1'],
        ...rest,
      });
    },
  };
}

export function esteidSubject(personalCode: string): x509.JsonName {
  return [
    { C: ['EE'] },
    { CN: [`JÕEORG,JAAK-KRISTJAN,${personalCode}`] },
    { SN: ['JÕEORG'] },
    { G: ['JAAK-KRISTJAN'] },
    { '2.5.4.5': [`PNOEE-${personalCode}`] },
  ];
}

/**
 * The revocation pointers a real card carries: authorityInfoAccess with an OCSP URL and
 * cRLDistributionPoints, for `citizen({ extensions: revocationPointers({...}) })`.
 */
export function revocationPointers(where: { ocspUrl?: string; crlUrl?: string }): x509.Extension[] {
  const extensions: x509.Extension[] = [];
  if (where.ocspUrl) extensions.push(new x509.AuthorityInfoAccessExtension({ ocsp: where.ocspUrl }));
  if (where.crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([where.crlUrl]));
  return extensions;
}
