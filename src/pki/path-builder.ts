import type { ParsedCertificate } from './certificate.js';
import type { TrustAnchor, TrustStore } from './trust-store.js';

/**
 * Candidate certification paths from a leaf to an anchor, built from the presented
 * certificates and the store's intermediates (RFC 4158 style, depth first). An issuer must
 * match by subject name bytes and verify the child's signature; key identifiers, when both
 * are present, order and prune candidates. Bounded in length, in complete paths, in signature
 * checks and in time, and loop-free, because the presented set comes from the network.
 */

/** A complete candidate: leaf first, the certificate the anchor signed last. */
export interface CandidatePath {
  path: ParsedCertificate[];
  anchor: TrustAnchor;
}

export interface BuildBounds {
  /** Most certificates in a path, leaf included, anchor excluded. */
  maxPathLength: number;
  /** Most complete paths handed to the caller. */
  maxCandidatePaths: number;
  /** Most issuer candidates tried, each a signature check (cached or not): bounds the walk. */
  maxSignatureChecks: number;
  /** Wall-clock budget, milliseconds. */
  timeBudgetMs: number;
}

/** What the search saw, for choosing the refusal when no candidate validates. */
export interface BuildReport {
  /** An issuer matched by name (and key identifier) but its key did not verify. */
  signatureFailure: string | undefined;
  /** A bound stopped the search before every branch was explored. */
  exhausted: string | undefined;
  signatureChecks: number;
  /** Complete candidate paths handed to the caller. */
  candidatePaths: number;
}

type Issuer =
  | { kind: 'anchor'; anchor: TrustAnchor }
  | { kind: 'ca'; certificate: ParsedCertificate };

/** Key identifiers that both exist and differ mean "not this issuer": skip without verifying. */
function keyIdsConflict(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  return (
    child.authorityKeyId !== undefined &&
    issuer.subjectKeyId !== undefined &&
    child.authorityKeyId !== issuer.subjectKeyId
  );
}

function keyIdsAgree(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  return child.authorityKeyId !== undefined && child.authorityKeyId === issuer.subjectKeyId;
}

/** A certificate currently valid sorts before an expired one with the same name and key. */
function issuerOrder(child: ParsedCertificate, at: Date) {
  return (a: ParsedCertificate, b: ParsedCertificate): number => {
    const ids = Number(keyIdsAgree(child, b)) - Number(keyIdsAgree(child, a));
    if (ids !== 0) return ids;
    const valid = (c: ParsedCertificate) => Number(c.notBefore <= at && at <= c.notAfter);
    return valid(b) - valid(a);
  };
}

/** Lazily yields candidate paths, most preferred first; `report` fills in as it runs. */
export function* candidatePaths(
  leaf: ParsedCertificate,
  presented: readonly ParsedCertificate[],
  store: TrustStore,
  at: Date,
  bounds: BuildBounds,
  report: BuildReport,
): Generator<CandidatePath> {
  const deadline = performance.now() + bounds.timeBudgetMs;
  const presentedByName = new Map<string, ParsedCertificate[]>();
  for (const certificate of presented) {
    // A presented copy of an anchor is not an intermediate: the path ends at the anchor.
    if (store.isAnchor(certificate)) continue;
    const key = certificate.subjectKey;
    const list = presentedByName.get(key) ?? [];
    if (!list.some((known) => known.sha256 === certificate.sha256)) list.push(certificate);
    presentedByName.set(key, list);
  }
  let yielded = 0;

  const issuersOf = (child: ParsedCertificate): Issuer[] => {
    const anchors = store
      .anchorsNamed(child.issuerKey)
      .filter((anchor) => !keyIdsConflict(child, anchor.certificate))
      .map((anchor): Issuer => ({ kind: 'anchor', anchor }));
    const seen = new Set<string>();
    const cas = [
      ...(presentedByName.get(child.issuerKey) ?? []),
      ...store.intermediatesNamed(child.issuerKey),
    ].filter((ca) => {
      if (seen.has(ca.sha256) || keyIdsConflict(child, ca)) return false;
      seen.add(ca.sha256);
      return true;
    });
    cas.sort(issuerOrder(child, at));
    return [...anchors, ...cas.map((certificate): Issuer => ({ kind: 'ca', certificate }))];
  };

  const verified = (child: ParsedCertificate, signer: ParsedCertificate): boolean => {
    report.signatureChecks += 1;
    if (store.verifies(child, signer)) return true;
    const unsupported = child.unsupportedSignature(signer);
    report.signatureFailure ??= unsupported
      ? `a certificate's signature cannot be accepted: ${unsupported}`
      : `a certificate's signature does not verify with the key of ${
          signer.isCa ? 'its named issuer' : 'the certificate named as issuer'
        }`;
    return false;
  };

  const outOfBounds = (): boolean => {
    if (yielded >= bounds.maxCandidatePaths) report.exhausted ??= 'candidate path limit reached';
    else if (report.signatureChecks >= bounds.maxSignatureChecks) {
      report.exhausted ??= 'signature check limit reached';
    } else if (performance.now() > deadline) report.exhausted ??= 'time budget spent';
    return report.exhausted !== undefined;
  };

  // Loops are cut by refusing a certificate, or the same name with the same key, twice.
  const onPath = new Set<string>();

  function* extend(path: ParsedCertificate[]): Generator<CandidatePath> {
    const child = path[path.length - 1];
    if (child === undefined) return;
    // A self-signed certificate the client sent (a root we do not trust, or a self-made
    // leaf) ends the path: no other key signed it, so there is no issuer to look for.
    if (child.selfSigned) return;

    for (const issuer of issuersOf(child)) {
      if (outOfBounds()) return;

      if (issuer.kind === 'anchor') {
        if (!verified(child, issuer.anchor.certificate)) continue;
        yielded += 1;
        report.candidatePaths = yielded;
        yield { path: [...path], anchor: issuer.anchor };
        continue;
      }

      const ca = issuer.certificate;
      if (path.length >= bounds.maxPathLength) {
        report.exhausted ??= 'maximum path length reached';
        continue;
      }
      const caIdentity = ca.sha256;
      const caKey = `${ca.subjectKey}|${ca.spkiSha256}`;
      if (onPath.has(caIdentity) || onPath.has(caKey)) continue;
      if (!verified(child, ca)) continue;

      onPath.add(caIdentity).add(caKey);
      yield* extend([...path, ca]);
      onPath.delete(caIdentity);
      onPath.delete(caKey);
    }
  }

  onPath.add(leaf.sha256);
  yield* extend([leaf]);
}
