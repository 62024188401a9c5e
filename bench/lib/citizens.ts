import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { certificatePem, issue, privateKeyPem, type Issued } from '../../src/cli/dev-pki.js';
import { generateJwks } from '../../src/oidc/signing-keys.js';

/**
 * Key material for the benchmark, generated once and kept under bench/.cache (git-ignored):
 * a DNIe-profile PKI (root → issuing CA → citizens), the servers' TLS certificate and key
 * (RSA-2048, shared by the IdP, the bare provider, bare Node and nginx so their handshakes
 * cost the same), and the ID token signing keys. RSA key generation is the slow part
 * (~0.1 s a key), so citizens are added to the cache only when a run needs more.
 */

export interface CitizenCredential {
  /** Leaf PEM only (a card sends its leaf; the IdP has the intermediate). */
  cert: string;
  key: string;
  /** DER of the leaf, for the validation micro-benchmark. */
  der: string;
  dni: string;
}

export interface BenchMaterial {
  createdAt: string;
  rootPem: string;
  issuingPem: string;
  tlsCaPem: string;
  tlsCertPem: string;
  tlsKeyPem: string;
  jwks: string;
  citizens: CitizenCredential[];
}

const FORMAT = 'bench-material-v1';
const DAY_MS = 24 * 3600 * 1000;
// Citizen certificates live a year; regenerate everything well before anything expires.
const MAX_AGE_MS = 200 * DAY_MS;
const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** A valid DNI number for index `n` (8 digits, the check letter of the number modulo 23). */
export function dniFor(n: number): string {
  const digits = 10_000_000 + n;
  return `${digits}${DNI_LETTERS[digits % 23]}`;
}

export const CACHE_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '.cache');

interface CachedPki {
  root: Issued;
  issuing: Issued;
}

export async function loadMaterial(citizensWanted: number, log: (line: string) => void): Promise<BenchMaterial> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = path.join(CACHE_DIR, `${FORMAT}.json`);
  let material: BenchMaterial | undefined;
  let pki: CachedPki | undefined;
  if (existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as BenchMaterial & { pkiKeys: PkiKeys };
    if (Date.now() - Date.parse(cached.createdAt) < MAX_AGE_MS) {
      material = cached;
      pki = await importPki(cached);
    }
  }
  if (!material || !pki) {
    log('generating the benchmark PKI and TLS keys (once, cached in bench/.cache)');
    const created = await createPki();
    pki = created.pki;
    material = created.material;
  }
  if (material.citizens.length < citizensWanted) {
    const missing = citizensWanted - material.citizens.length;
    log(`generating ${missing} citizen certificates (RSA-2048, cached in bench/.cache)`);
    const start = material.citizens.length;
    for (let batch = start; batch < citizensWanted; batch += 8) {
      const indexes = Array.from({ length: Math.min(8, citizensWanted - batch) }, (_, i) => batch + i);
      material.citizens.push(...(await Promise.all(indexes.map((n) => makeCitizen(pki!, n)))));
    }
    writeFileSync(file, JSON.stringify({ ...material, pkiKeys: await exportPki(pki) }), { mode: 0o600 });
  }
  return { ...material, citizens: material.citizens.slice(0, citizensWanted) };
}

async function createPki(): Promise<{ pki: CachedPki; material: BenchMaterial }> {
  const notBefore = new Date(Date.now() - DAY_MS);
  const root = await issue({
    subject: [{ C: ['ES'] }, { O: ['eid-idp bench'] }, { CN: ['BENCH RAIZ DNIE'] }],
    ca: {},
    notBefore,
    notAfter: new Date(Date.now() + 3650 * DAY_MS),
  });
  const issuing = await issue({
    subject: [{ C: ['ES'] }, { O: ['eid-idp bench'] }, { CN: ['BENCH AC DNIE 004'] }],
    issuer: root,
    ca: { pathLength: 0 },
    notBefore,
    notAfter: new Date(Date.now() + 1825 * DAY_MS),
  });
  const tlsCa = await issue({ subject: [{ CN: ['eid-idp bench TLS CA'] }], ca: { pathLength: 0 } });
  const tlsServer = await issue({
    subject: [{ CN: ['localhost'] }],
    issuer: tlsCa,
    keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  return {
    pki: { root, issuing },
    material: {
      createdAt: new Date().toISOString(),
      rootPem: certificatePem(root),
      issuingPem: certificatePem(issuing),
      tlsCaPem: certificatePem(tlsCa),
      tlsCertPem: certificatePem(tlsServer),
      tlsKeyPem: await privateKeyPem(tlsServer.keys),
      jwks: generateJwks(),
      citizens: [],
    },
  };
}

async function makeCitizen(pki: CachedPki, n: number): Promise<CitizenCredential> {
  const dni = dniFor(n);
  const issued = await issue({
    subject: [
      { C: ['ES'] },
      { '2.5.4.5': [dni] },
      { SN: ['ESPAÑOL BANCO'] },
      { G: [`CIUDADANO ${n}`] },
      { CN: [`ESPAÑOL BANCO, CIUDADANO ${n} (AUTENTICACIÓN)`] },
    ],
    issuer: pki.issuing,
    keyUsage: x509.KeyUsageFlags.digitalSignature,
    policies: ['2.16.724.1.2.2.2.4'],
  });
  return {
    cert: certificatePem(issued),
    key: await privateKeyPem(issued.keys),
    der: Buffer.from(issued.certificate.rawData).toString('base64'),
    dni,
  };
}

interface PkiKeys {
  rootKey: JsonWebKey;
  issuingKey: JsonWebKey;
}

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

async function exportPki(pki: CachedPki): Promise<PkiKeys> {
  return {
    rootKey: await crypto.subtle.exportKey('jwk', pki.root.keys.privateKey),
    issuingKey: await crypto.subtle.exportKey('jwk', pki.issuing.keys.privateKey),
  };
}

async function importPki(cached: BenchMaterial & { pkiKeys?: PkiKeys }): Promise<CachedPki | undefined> {
  if (!cached.pkiKeys) return undefined;
  const load = async (pem: string, jwk: JsonWebKey): Promise<Issued> => {
    const certificate = new x509.X509Certificate(pem);
    const privateKey = await crypto.subtle.importKey('jwk', jwk, RSA, true, ['sign']);
    const publicKey = await certificate.publicKey.export(RSA, ['verify']);
    return { certificate, keys: { privateKey, publicKey } };
  };
  return {
    root: await load(cached.rootPem, cached.pkiKeys.rootKey),
    issuing: await load(cached.issuingPem, cached.pkiKeys.issuingKey),
  };
}
