import type { RefusalCode } from '../errors.js';
import type { ParsedCertificate } from './certificate.js';
import { PROCESSED_EXTENSIONS } from './extensions.js';
import { formatName } from './names.js';
import type { CandidatePath } from './path-builder.js';

/**
 * RFC 5280 section 6.1 basic checks on one candidate path, from the anchor down to the leaf:
 * validity, unknown critical extensions, CA basic constraints and pathLenConstraint, CA
 * keyCertSign, leaf digitalSignature. Signatures and name chaining were checked while the
 * path was built. Each check becomes a line an administrator reads in `eid-idp inspect`.
 */

/** One line of the validation report. */
export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export type CheckOutcome =
  | { ok: true; checks: Check[] }
  | { ok: false; code: RefusalCode; detail: string; checks: Check[] };

/**
 * How a certificate is named in checks and details. CA names are public; the leaf is never
 * named by its subject, which is personal data.
 */
export function label(certificate: ParsedCertificate, isLeaf: boolean): string {
  if (isLeaf) return `leaf ${certificate.sha256.slice(0, 16)}`;
  return `CA "${formatName(certificate.facts().subject)}"`;
}

class Refusal extends Error {
  constructor(
    readonly code: RefusalCode,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function checkValidity(certificate: ParsedCertificate, who: string, at: Date, checks: Check[]) {
  if (at < certificate.notBefore) {
    const detail = `${who} is not valid before ${certificate.notBefore.toISOString()}`;
    checks.push({ name: `validity: ${who}`, ok: false, detail });
    throw new Refusal('CERT_NOT_YET_VALID', detail);
  }
  if (at > certificate.notAfter) {
    const detail = `${who} expired at ${certificate.notAfter.toISOString()}`;
    checks.push({ name: `validity: ${who}`, ok: false, detail });
    throw new Refusal('CERT_EXPIRED', detail);
  }
  checks.push({ name: `validity: ${who}`, ok: true });
}

function checkCriticalExtensions(certificate: ParsedCertificate, who: string, checks: Check[]) {
  const unknown = certificate.extensions
    .filter((extension) => extension.critical && !PROCESSED_EXTENSIONS.has(extension.oid))
    .map((extension) => extension.oid);
  if (unknown.length > 0) {
    const detail = `${who} has unknown critical extension ${unknown.join(', ')}`;
    checks.push({ name: `critical extensions: ${who}`, ok: false, detail });
    throw new Refusal('CERT_UNKNOWN_CRITICAL_EXTENSION', detail);
  }
  checks.push({ name: `critical extensions: ${who}`, ok: true });
}

function checkCa(certificate: ParsedCertificate, who: string, checks: Check[]) {
  if (!certificate.isCa) {
    const detail = `${who} issues certificates but is not a CA (basicConstraints)`;
    checks.push({ name: `basic constraints: ${who}`, ok: false, detail });
    throw new Refusal('CHAIN_INVALID', detail);
  }
  checks.push({ name: `basic constraints: ${who}`, ok: true });

  if (certificate.keyUsage !== undefined && !certificate.keyUsage.includes('keyCertSign')) {
    const detail = `${who} key usage does not include keyCertSign`;
    checks.push({ name: `key usage: ${who}`, ok: false, detail });
    throw new Refusal('CHAIN_INVALID', detail);
  }
  checks.push({ name: `key usage: ${who}`, ok: true });
}

function checkLeafUsage(leaf: ParsedCertificate, who: string, checks: Check[]) {
  if (leaf.keyUsage !== undefined && !leaf.keyUsage.includes('digitalSignature')) {
    const detail = `${who} key usage does not include digitalSignature`;
    checks.push({ name: `key usage: ${who}`, ok: false, detail });
    throw new Refusal('CERT_WRONG_USAGE', detail);
  }
  checks.push({ name: `key usage: ${who}`, ok: true });
}

/**
 * Applies the basic path checks to a candidate.
 *
 * @param at the validation time
 * @param maxPathLength the initial max_path_length of RFC 5280 6.1.2 (k)
 */
export function checkPath(candidate: CandidatePath, at: Date, maxPathLength: number): CheckOutcome {
  const checks: Check[] = [];
  const { path, anchor } = candidate;
  try {
    const anchorLabel = `anchor ${label(anchor.certificate, false)}`;
    checks.push({ name: `trust anchor: ${anchorLabel}`, ok: true, detail: anchor.source });
    // RFC 5280 leaves anchor validity to the relying party; an expired root is refused here.
    checkValidity(anchor.certificate, anchorLabel, at, checks);
    let remaining = Math.min(maxPathLength, anchor.certificate.pathLength ?? Infinity);

    for (let index = path.length - 1; index >= 0; index -= 1) {
      const certificate = path[index];
      if (certificate === undefined) continue;
      const isLeaf = index === 0;
      const who = label(certificate, isLeaf);
      checks.push({ name: `signature: ${who}`, ok: true });
      checkValidity(certificate, who, at, checks);
      checkCriticalExtensions(certificate, who, checks);

      if (isLeaf) {
        checkLeafUsage(certificate, who, checks);
        continue;
      }

      checkCa(certificate, who, checks);
      if (!certificate.selfIssued) {
        if (remaining <= 0) {
          const detail = `${who} exceeds the path length allowed by the CAs above it`;
          checks.push({ name: `path length: ${who}`, ok: false, detail });
          throw new Refusal('CHAIN_INVALID', detail);
        }
        remaining -= 1;
      }
      remaining = Math.min(remaining, certificate.pathLength ?? Infinity);
      checks.push({ name: `path length: ${who}`, ok: true });
    }
  } catch (error) {
    if (error instanceof Refusal) {
      return { ok: false, code: error.code, detail: error.detail, checks };
    }
    throw error;
  }
  return { ok: true, checks };
}
