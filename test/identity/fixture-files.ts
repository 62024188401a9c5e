import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import type { CertificateFacts } from '../../src/identity/types.js';

/** The shared public eID fixtures, read in place (never copied into the repository). */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of a file in ../shared/fixtures/eid-certs. */
export function fixturePath(file: string): string {
  return path.resolve(repoRoot, '..', 'shared', 'fixtures', 'eid-certs', file);
}

/** Facts of one fixture certificate, read by the pki layer's parser. */
export function fixtureFacts(file: string): CertificateFacts {
  const [certificate] = ParsedCertificate.fromPemOrDer(readFileSync(fixturePath(file), 'utf8'));
  if (!certificate) throw new Error(`no certificate in ${file}`);
  return certificate.facts();
}
