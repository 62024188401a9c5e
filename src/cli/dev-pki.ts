import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';

/**
 * Makes certificates for development and tests: the development TLS certificate, the demo
 * citizen PKI of first start, and the PKIs that tests build per case. Production trust
 * anchors never come from here.
 */

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const run = promisify(execFile);

/** `rsa-pss`: an RSA key restricted to RSA-PSS (tests of PSS-signed paths). */
export type KeyKind = 'rsa-2048' | 'rsa-pss' | 'ec-p256' | 'ec-p384';

export interface Issued {
  certificate: x509.X509Certificate;
  keys: CryptoKeyPair;
}

export interface IssueOptions {
  /** Attributes in order, e.g. [{ C: ['ES'] }, { serialNumber: ['00000000T'] }]. */
  subject: x509.JsonName;
  /** The issuing CA; omitted for a self-signed root. */
  issuer?: Issued;
  keyKind?: KeyKind;
  /** Reuse an existing key pair (cross-certificates, same-name-different-key cases). */
  keys?: CryptoKeyPair;
  notBefore?: Date;
  notAfter?: Date;
  /** Makes a CA certificate; `pathLength` undefined means unlimited. */
  ca?: { pathLength?: number };
  keyUsage?: x509.KeyUsageFlags;
  extendedKeyUsage?: string[];
  policies?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  serialNumber?: string;
  /** Extra extensions, e.g. AIA or CRL distribution points. */
  extensions?: x509.Extension[];
}

const ALGORITHMS: Record<KeyKind, RsaHashedKeyGenParams | EcKeyGenParams> = {
  'rsa-2048': {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  },
  'rsa-pss': {
    name: 'RSA-PSS',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  },
  'ec-p256': { name: 'ECDSA', namedCurve: 'P-256' },
  'ec-p384': { name: 'ECDSA', namedCurve: 'P-384' },
};

export async function generateKeys(kind: KeyKind): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHMS[kind], true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
}

function signingAlgorithm(key: CryptoKey): Algorithm | EcdsaParams | RsaPssParams {
  if (key.algorithm.name === 'RSA-PSS') {
    return { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 } as RsaPssParams;
  }
  if (key.algorithm.name === 'ECDSA') {
    const curve = (key.algorithm as EcKeyAlgorithm).namedCurve;
    return { name: 'ECDSA', hash: curve === 'P-384' ? 'SHA-384' : 'SHA-256' } as EcdsaParams;
  }
  return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Algorithm;
}

/** Issues one certificate as described; signs with the issuer's key (or its own for a root). */
export async function issue(options: IssueOptions): Promise<Issued> {
  const keys = options.keys ?? (await generateKeys(options.keyKind ?? 'rsa-2048'));
  const signer = options.issuer?.keys ?? keys;
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 365 * 24 * 3600 * 1000);
  const extensions: x509.Extension[] = [];

  if (options.ca) {
    extensions.push(new x509.BasicConstraintsExtension(true, options.ca.pathLength, true));
  }
  const keyUsage =
    options.keyUsage ??
    (options.ca
      ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
      : x509.KeyUsageFlags.digitalSignature);
  extensions.push(new x509.KeyUsagesExtension(keyUsage, true));
  if (options.extendedKeyUsage) {
    extensions.push(new x509.ExtendedKeyUsageExtension(options.extendedKeyUsage, false));
  }
  if (options.policies) {
    extensions.push(new x509.CertificatePolicyExtension(options.policies, false));
  }
  const altNames = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (altNames.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(altNames));
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  if (options.issuer) {
    extensions.push(
      await x509.AuthorityKeyIdentifierExtension.create(options.issuer.certificate, false),
    );
  }
  extensions.push(...(options.extensions ?? []));

  const subject = new x509.Name(options.subject);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: options.serialNumber ?? randomSerial(),
    subject,
    issuer: options.issuer ? options.issuer.certificate.subjectName : subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: signer.privateKey,
    signingAlgorithm: signingAlgorithm(signer.privateKey),
    extensions,
  });
  return { certificate, keys };
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x10; // positive, no leading zero byte
  return Buffer.from(bytes).toString('hex');
}

export async function privateKeyPem(keys: CryptoKeyPair): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY').trimEnd()}\n`;
}

export function certificatePem(issued: Issued | x509.X509Certificate): string {
  const certificate = issued instanceof x509.X509Certificate ? issued : issued.certificate;
  // Ends with a newline so that PEMs can be concatenated into a chain file.
  return `${certificate.toString('pem').trimEnd()}\n`;
}

/**
 * Writes a PKCS#12 file with the `openssl` command line: the format a browser or a card
 * middleware imports, and one we should not encode by hand.
 */
export async function writePkcs12(options: {
  file: string;
  password: string;
  certificateFile: string;
  keyFile: string;
  chainFile?: string;
  friendlyName: string;
}): Promise<void> {
  const args = [
    'pkcs12',
    '-export',
    '-out',
    options.file,
    '-inkey',
    options.keyFile,
    '-in',
    options.certificateFile,
    '-name',
    options.friendlyName,
    '-passout',
    'env:EID_IDP_P12_PASSWORD',
  ];
  if (options.chainFile) args.push('-certfile', options.chainFile);
  try {
    await run('openssl', args, { env: { ...process.env, EID_IDP_P12_PASSWORD: options.password } });
  } catch (error) {
    throw new Error(
      `could not write ${options.file} with the openssl command (install the Debian package ` +
        `"openssl"): ${(error as Error).message}`,
      { cause: error },
    );
  }
}
