import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';
import { certificatePem, issue, privateKeyPem, type Issued } from '../../src/cli/dev-pki.js';
import { requireCommand } from './tools.js';

const run = promisify(execFile);

/**
 * An `openssl ca` directory for one issuing CA of a test PKI: index.txt lists the
 * certificates it issued (V) or revoked (R), `openssl ca -gencrl` makes CRLs from it, and
 * `openssl ocsp -index` (test/support/ocsp-responder.ts) answers from the same file.
 */
export interface OpensslCa {
  dir: string;
  /** The CA certificate and key files (PEM). */
  certFile: string;
  keyFile: string;
  indexFile: string;
  /** Lists a certificate as issued (good). */
  register(certificate: Issued): void;
  /** Marks a listed (or new) certificate as revoked, with an optional CRL reason name. */
  revoke(certificate: Issued, reason?: string): void;
  /** Lists `count` made-up revoked serials (a big CRL: about 23 bytes of DER each). */
  revokeMany(count: number): void;
  /** Runs `openssl ca -gencrl`; returns the DER of the CRL. */
  generateCrl(options?: { hours?: number; signWith?: { certFile: string; keyFile: string } }): Promise<Uint8Array>;
  /** Writes a responder certificate issued by this CA (id-kp-OCSPSigning unless `eku` says otherwise). */
  issueResponder(options?: { eku?: string[] }): Promise<{ certFile: string; keyFile: string; issued: Issued }>;
}

interface IndexLine {
  status: 'V' | 'R';
  expiry: string;
  revoked: string;
  serial: string;
  subject: string;
}

export async function makeOpensslCa(ca: Issued): Promise<OpensslCa> {
  requireCommand('openssl', 'openssl');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-ca-'));
  const certFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'ca.key');
  const indexFile = path.join(dir, 'index.txt');
  const configFile = path.join(dir, 'ca.cnf');
  writeFileSync(certFile, certificatePem(ca));
  writeFileSync(keyFile, await privateKeyPem(ca.keys), { mode: 0o600 });
  writeFileSync(indexFile, '');
  writeFileSync(path.join(dir, 'index.txt.attr'), 'unique_subject = no\n');
  writeFileSync(path.join(dir, 'crlnumber'), '1000\n');
  writeFileSync(path.join(dir, 'serial'), '01\n');
  writeFileSync(
    configFile,
    [
      '[ ca ]',
      'default_ca = test_ca',
      '[ test_ca ]',
      `dir = ${dir}`,
      `database = ${indexFile}`,
      `new_certs_dir = ${dir}`,
      `certificate = ${certFile}`,
      `private_key = ${keyFile}`,
      `serial = ${path.join(dir, 'serial')}`,
      `crlnumber = ${path.join(dir, 'crlnumber')}`,
      'default_md = sha256',
      'default_crl_days = 1',
      'policy = any_policy',
      '[ any_policy ]',
      'commonName = optional',
      '',
    ].join('\n'),
  );
  const lines = new Map<string, IndexLine>();
  const flush = () =>
    writeFileSync(
      indexFile,
      [...lines.values()]
        .map((line) => [line.status, line.expiry, line.revoked, line.serial, 'unknown', line.subject].join('\t'))
        .map((line) => `${line}\n`)
        .join(''),
    );
  const lineFor = (certificate: Issued): IndexLine => ({
    status: 'V',
    expiry: opensslTime(certificate.certificate.notAfter),
    revoked: '',
    serial: certificate.certificate.serialNumber.toUpperCase(),
    subject: `/CN=certificate ${certificate.certificate.serialNumber}`,
  });

  return {
    dir,
    certFile,
    keyFile,
    indexFile,
    register(certificate) {
      lines.set(certificate.certificate.serialNumber, lineFor(certificate));
      flush();
    },
    revoke(certificate, reason) {
      const line = lines.get(certificate.certificate.serialNumber) ?? lineFor(certificate);
      const when = opensslTime(new Date(Date.now() - 3600_000));
      lines.set(certificate.certificate.serialNumber, {
        ...line,
        status: 'R',
        revoked: reason ? `${when},${reason}` : when,
      });
      flush();
    },
    revokeMany(count) {
      const when = opensslTime(new Date(Date.now() - 3600_000));
      for (let i = 0; i < count; i += 1) {
        const serial = (0x40000000 + i * 7919).toString(16).toUpperCase();
        lines.set(`bulk-${i}`, { status: 'R', expiry: '491231235959Z', revoked: when, serial, subject: `/CN=bulk ${i}` });
      }
      flush();
    },
    async generateCrl(options = {}) {
      const out = path.join(dir, `crl-${Date.now()}-${Math.random().toString(16).slice(2)}.pem`);
      const args = ['ca', '-config', configFile, '-gencrl', '-batch', '-out', out];
      args.push('-crlhours', String(options.hours ?? 24));
      if (options.signWith) args.push('-cert', options.signWith.certFile, '-keyfile', options.signWith.keyFile);
      await run('openssl', args);
      // `openssl crl` turns it to DER (a PEM decoder in JS chokes on multi-megabyte CRLs).
      const der = `${out}.der`;
      await run('openssl', ['crl', '-in', out, '-outform', 'DER', '-out', der]);
      return new Uint8Array(readFileSync(der));
    },
    async issueResponder(options = {}) {
      const issued = await issue({
        subject: [{ CN: ['eid-idp test OCSP responder'] }],
        issuer: ca,
        keyUsage: x509.KeyUsageFlags.digitalSignature,
        extendedKeyUsage: options.eku ?? ['1.3.6.1.5.5.7.3.9'],
      });
      const suffix = Math.random().toString(16).slice(2);
      const responderCert = path.join(dir, `responder-${suffix}.pem`);
      const responderKey = path.join(dir, `responder-${suffix}.key`);
      writeFileSync(responderCert, certificatePem(issued));
      writeFileSync(responderKey, await privateKeyPem(issued.keys), { mode: 0o600 });
      return { certFile: responderCert, keyFile: responderKey, issued };
    },
  };
}

/** index.txt time: YYMMDDHHMMSSZ. */
function opensslTime(date: Date): string {
  const iso = date.toISOString(); // 2026-12-04T15:46:00.000Z
  return `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}
