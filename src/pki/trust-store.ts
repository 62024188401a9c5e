import { ConfigError } from '../errors.js';
import { BoundedCache } from './bounded-cache.js';
import { ParsedCertificate } from './certificate.js';
import { loadTrustDirectory } from './trust-config.js';

/**
 * The trust anchors and known intermediates, parsed once at start. Anchors are pinned by the
 * SHA-256 of their SubjectPublicKeyInfo: two CAs with the same name but different keys are
 * different anchors, and a certificate chains to an anchor only if the anchor's key verifies it.
 */

export type TrustEnvironment = 'production' | 'test';

/** One trust anchor and where it came from. */
export interface TrustAnchor {
  certificate: ParsedCertificate;
  /** Card profile hint, e.g. es-dnie. */
  profile?: string;
  environment: TrustEnvironment;
  /** The file (or `memory`) that declared this anchor, for the inspect command. */
  source: string;
}

/** Anchors and intermediates as given to {@link TrustStore.fromCertificates}. */
export interface TrustStoreInput {
  /** `source` defaults to `memory`. */
  anchors: Array<Omit<TrustAnchor, 'source'> & { source?: string }>;
  intermediates?: ParsedCertificate[];
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const PARSED_CACHE_ENTRIES = 1024;
const SIGNATURE_CACHE_ENTRIES = 4096;

/**
 * Anchors and intermediates, indexed for path building. The configuration is immutable once
 * built; the store also keeps bounded caches of parsed presented certificates and verified
 * signatures, so that an intermediate every card sends is parsed and verified once.
 */
export class TrustStore {
  /** Every anchor, in the order configured. */
  private readonly anchorList: TrustAnchor[] = [];
  /** Anchors by SPKI SHA-256 (hex): the pin. */
  private readonly anchorsBySpki = new Map<string, TrustAnchor[]>();
  /** Anchors by subject name key. */
  private readonly anchorsBySubject = new Map<string, TrustAnchor[]>();
  /** Intermediates by subject name key. */
  private readonly intermediatesBySubject = new Map<string, ParsedCertificate[]>();
  /** Every certificate the store holds, by SHA-256 of the DER: presented copies reuse these. */
  private readonly parsedBySha256 = new Map<string, ParsedCertificate>();
  /** Presented certificates parsed before, by SHA-256 of the DER. */
  private readonly presentedCache = new BoundedCache<string, ParsedCertificate>(
    PARSED_CACHE_ENTRIES,
  );
  /** Signature verdicts by `child SHA-256 / signer SHA-256`. */
  private readonly signatureCache = new BoundedCache<string, boolean>(SIGNATURE_CACHE_ENTRIES);

  private constructor(input: TrustStoreInput) {
    for (const anchor of input.anchors) {
      const entry: TrustAnchor = { ...anchor, source: anchor.source ?? 'memory' };
      // The same certificate listed twice (two directories) is one anchor: first wins. A
      // re-issued root (same key, new name or validity) is another anchor with the same pin.
      if (this.parsedBySha256.has(entry.certificate.sha256)) continue;
      this.anchorList.push(entry);
      pushTo(this.anchorsBySpki, entry.certificate.spkiSha256, entry);
      pushTo(this.anchorsBySubject, entry.certificate.subjectKey, entry);
      this.parsedBySha256.set(entry.certificate.sha256, entry.certificate);
    }
    for (const intermediate of input.intermediates ?? []) {
      if (this.parsedBySha256.has(intermediate.sha256)) continue;
      pushTo(this.intermediatesBySubject, intermediate.subjectKey, intermediate);
      this.parsedBySha256.set(intermediate.sha256, intermediate);
    }
  }

  /** Builds a store from certificates already in memory (tests, the admin preview). */
  static fromCertificates(input: TrustStoreInput): TrustStore {
    return new TrustStore(input);
  }

  /**
   * Builds a store from trust directories, each with a `trust.yaml`.
   *
   * @throws ConfigError naming the file, line and setting of the first problem
   */
  static async loadDirectories(directories: readonly string[]): Promise<TrustStore> {
    const input: Required<TrustStoreInput> = { anchors: [], intermediates: [] };
    for (const directory of directories) {
      const loaded = await loadTrustDirectory(directory);
      input.anchors.push(...loaded.anchors);
      input.intermediates.push(...loaded.intermediates);
    }
    if (input.anchors.length === 0) {
      throw new ConfigError('no trust anchors configured', {
        setting: directories.length === 0 ? 'trust.directories' : undefined,
      });
    }
    return new TrustStore(input);
  }

  /** Every anchor, in the order configured. */
  anchors(): readonly TrustAnchor[] {
    return this.anchorList;
  }

  /** The first anchor pinned by this SPKI SHA-256, if any. */
  anchorBySpki(spkiSha256: string): TrustAnchor | undefined {
    return this.anchorsBySpki.get(spkiSha256)?.[0];
  }

  /** Anchors whose subject matches this name key ({@link ParsedCertificate.issuerKey}). */
  anchorsNamed(nameKey: string): readonly TrustAnchor[] {
    return this.anchorsBySubject.get(nameKey) ?? [];
  }

  /** Known intermediates whose subject matches this name key. */
  intermediatesNamed(nameKey: string): readonly ParsedCertificate[] {
    return this.intermediatesBySubject.get(nameKey) ?? [];
  }

  /** Whether this certificate is itself a configured anchor (same name and same key). */
  isAnchor(certificate: ParsedCertificate): boolean {
    const pinned = this.anchorsBySpki.get(certificate.spkiSha256) ?? [];
    return pinned.some((anchor) => anchor.certificate.subjectKey === certificate.subjectKey);
  }

  /** The store's own parsed copy of a certificate with this DER hash, to avoid parsing again. */
  parsedBySha(sha256: string): ParsedCertificate | undefined {
    return this.parsedBySha256.get(sha256);
  }

  /**
   * The parsed form of a presented certificate: the store's own copy, a cached one, or a new
   * parse (then cached).
   *
   * @param sha256 SHA-256 of `der`, lower-case hex (the caller has it already)
   * @throws EidError CERT_MALFORMED
   */
  parsePresented(der: Uint8Array, sha256: string): ParsedCertificate {
    const known = this.parsedBySha256.get(sha256) ?? this.presentedCache.get(sha256);
    if (known) return known;

    // The caller hashed `der` already: not hashed a second time.
    const parsed = ParsedCertificate.fromDer(der, sha256);
    this.presentedCache.set(sha256, parsed);
    return parsed;
  }

  /** Whether `signer`'s key verifies `child`'s signature; each pair is verified once. */
  verifies(child: ParsedCertificate, signer: ParsedCertificate): boolean {
    const key = `${child.sha256}/${signer.sha256}`;
    const cached = this.signatureCache.get(key);
    if (cached !== undefined) return cached;

    const verdict = child.isSignedBy(signer);
    this.signatureCache.set(key, verdict);
    return verdict;
  }

  /** The anchors' PEM, for node's TLS `ca` option (the CA names of the CertificateRequest). */
  anchorPems(): string[] {
    return this.anchors().map((anchor) => anchor.certificate.pem);
  }

  /** The anchors' subject name DER (the CA hint list, for a TLS layer that sends it itself). */
  caNamesDer(): Buffer[] {
    return this.anchors().map((anchor) => anchor.certificate.subjectDer);
  }
}
