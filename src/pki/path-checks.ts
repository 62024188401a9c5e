import type { RefusalCode } from '../errors.js';
import type { ParsedCertificate } from './certificate.js';
import { PROCESSED_EXTENSIONS } from './extensions.js';
import { formatName } from './names.js';
import { NameConstraintsState } from './name-constraints.js';
import type { CandidatePath } from './path-builder.js';
import { PolicyProcessor, type PolicyInputs } from './policy-tree.js';

/**
 * RFC 5280 section 6.1 checks on one candidate path, from the anchor down to the leaf:
 * validity, unknown critical extensions, name constraints, certificate policies, CA basic
 * constraints and pathLenConstraint, CA keyCertSign (the leaf's usage is the card profile's
 * business: see decideCertificate). Signatures and name chaining were checked while the path
 * was built. Each check becomes a line an administrator reads in `eid-idp inspect`.
 */

/** One line of the validation report. */
export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export type CheckOutcome =
  | { ok: true; checks: Check[]; policies: string[] }
  | { ok: false; code: RefusalCode; detail: string; checks: Check[] };

/**
 * How a certificate is named in checks and details. CA names are public; the leaf is never
 * named by its subject, which is personal data.
 */
export function label(certificate: ParsedCertificate, isLeaf: boolean): string {
  if (isLeaf) return `leaf ${certificate.sha256.slice(0, 16)}`;
  // A certificate used as an issuer without being a CA may be a person's (a citizen signing
  // with their own card): its name would put personal data in the log
  // (found by test/zz-privacy/log-scan.test.ts).
  if (!certificate.isCa) return `non-CA certificate ${certificate.sha256.slice(0, 16)}`;
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

/**
 * The leaf's key usage is reported, not judged: RFC 5280 §6.1 leaves the end entity's key
 * usage to the application, and here the card profile decides it (decideCertificate), so that
 * a card's signature certificate is refused as such (CERT_SIGNATURE_ONLY) rather than with a
 * generic usage error.
 */
function reportLeafUsage(leaf: ParsedCertificate, who: string, checks: Check[]) {
  const usage = leaf.keyUsage;
  const detail = usage === undefined ? 'no keyUsage extension' : usage.join(', ');
  checks.push({ name: `key usage: ${who}`, ok: true, detail });
}

/**
 * Applies RFC 5280 §6.1 to a candidate path, from the anchor down to the leaf.
 *
 * @param at the validation time
 * @param maxPathLength the initial max_path_length of RFC 5280 §6.1.2 (k)
 * @param policy the policy inputs of §6.1.1; PKITS defaults when omitted
 */
export function checkPath(
  candidate: CandidatePath,
  at: Date,
  maxPathLength: number,
  policy: PolicyInputs = {},
): CheckOutcome {
  const checks: Check[] = [];
  const { path, anchor } = candidate;
  const n = path.length;
  const policies = new PolicyProcessor(n, policy);
  const names = new NameConstraintsState();
  try {
    const anchorLabel = `anchor ${label(anchor.certificate, false)}`;
    checks.push({ name: `trust anchor: ${anchorLabel}`, ok: true, detail: anchor.source });
    // RFC 5280 leaves anchor validity to the relying party; an expired root is refused here.
    checkValidity(anchor.certificate, anchorLabel, at, checks);
    // RFC 5937: constraints in the anchor's certificate bind the path below it.
    names.add(anchor.certificate);
    let remaining = Math.min(maxPathLength, anchor.certificate.pathLength ?? Infinity);

    for (let index = n - 1; index >= 0; index -= 1) {
      const certificate = path[index];
      if (certificate === undefined) continue;
      const i = n - index;
      const isLeaf = index === 0;
      const who = label(certificate, isLeaf);
      checks.push({ name: `signature: ${who}`, ok: true });
      checkValidity(certificate, who, at, checks);
      checkCriticalExtensions(certificate, who, checks);
      // §6.1.3 (b)-(c): a self-issued CA certificate inside the path is exempt.
      if (isLeaf || !certificate.selfIssued) checkNames(names, certificate, who, checks);
      expect(policies.process(certificate, i), 'CERT_POLICY_MISMATCH', `policies: ${who}`, checks);

      if (isLeaf) {
        reportLeafUsage(certificate, who, checks);
        continue;
      }

      const mapping = policies.prepareNext(certificate, i);
      expect(mapping, 'CERT_POLICY_MISMATCH', `policy mapping: ${who}`, checks);
      names.add(certificate);
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

    const leaf = path[0];
    if (leaf === undefined) throw new Refusal('CHAIN_INVALID', 'empty path');
    const outcome = policies.wrapUp(leaf);
    expect(outcome, 'CERT_POLICY_MISMATCH', 'certificate policies of the path', checks);
    const permitted = outcome.ok ? outcome.policies : [];
    checks.push({
      name: 'certificate policies of the path',
      ok: true,
      detail: permitted.length > 0 ? `leaf policies the path permits: ${permitted.join(', ')}` : 'none',
    });
    return { ok: true, checks, policies: permitted };
  } catch (error) {
    if (error instanceof Refusal) {
      return { ok: false, code: error.code, detail: error.detail, checks };
    }
    throw error;
  }
}

function expect(
  step: { ok: true } | { ok: false; detail: string },
  code: RefusalCode,
  name: string,
  checks: Check[],
): void {
  if (step.ok) return;
  checks.push({ name, ok: false, detail: step.detail });
  throw new Refusal(code, step.detail);
}

function checkNames(
  names: NameConstraintsState,
  certificate: ParsedCertificate,
  who: string,
  checks: Check[],
): void {
  if (!names.active) return;
  const outcome = names.check(certificate);
  expect(outcome, 'CERT_NAME_CONSTRAINTS', `name constraints: ${who}`, checks);
  checks.push({ name: `name constraints: ${who}`, ok: true });
}
