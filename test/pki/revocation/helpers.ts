import type { Issued } from '../../../src/cli/dev-pki.js';
import { ParsedCertificate } from '../../../src/pki/certificate.js';

export function parsed(issued: Issued): ParsedCertificate {
  return ParsedCertificate.fromDer(new Uint8Array(issued.certificate.rawData));
}

/** A store prefix unique to one test, so tests sharing a Redis never see each other's keys. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${process.pid}:${Date.now()}:`;
}
