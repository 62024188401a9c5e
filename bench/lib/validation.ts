import { webcrypto } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as pkijs from 'pkijs';
import { decideCertificate } from '../../src/pki/decision.js';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { certIdFor, statusCacheKey } from '../../src/pki/revocation/cert-id.js';
import { RevocationChecker } from '../../src/pki/revocation/checker.js';
import { revocationSettings } from '../../src/pki/revocation/settings.js';
import { StatusCache } from '../../src/pki/revocation/status-cache.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { BenchMaterial } from './citizens.js';
import { distribution, round, type Distribution } from './stats.js';

/**
 * Baseline (c), in this process (pinned to the client core): the one decision function the
 * certificate route calls, on DER as the TLS stack hands it over, against pkijs's own
 * CertificateChainValidationEngine on the same chain. Each sample is one call, timed with
 * performance.now(); p50 is what the targets speak of.
 *
 * - cold: a trust store just built (nothing cached), anchor and intermediate parsed from DER
 * - new leaf, warm: a long-lived store that has validated other citizens before; a leaf it
 *   has never seen
 * - returning card: the same leaf again
 * - the same two with OCSP checking on and each citizen's verdict already in the shared
 *   store (put there through the revocation cache's own API, as a sibling instance that had
 *   verified the responder's answer would): a new leaf then costs one store read
 * - pkijs: parse the three certificates with pkijs and run its engine (what a naive
 *   validator does per login)
 */
export interface ValidationResult {
  coldMs: Distribution;
  newLeafWarmMs: Distribution;
  returningCardMs: Distribution;
  /** The same two cases with OCSP on (hard-fail), its verdict already in the shared store. */
  newLeafOcspCachedMs: Distribution;
  returningCardOcspMs: Distribution;
  pkijsEngineMs: Distribution;
  /** Valid bench citizens refused, by code and detail (should be empty). */
  refusals: Record<string, number>;
  ratios: { pkijsOverNewLeaf: number; pkijsOverReturning: number };
  revocation: string;
}

pkijs.setEngine('bench', new pkijs.CryptoEngine({ name: 'bench', crypto: webcrypto as unknown as Crypto }));

export async function benchValidation(material: BenchMaterial, rounds: number): Promise<ValidationResult> {
  const rootDer = pemToDer(material.rootPem);
  const issuingDer = pemToDer(material.issuingPem);
  const leaves = material.citizens.map((citizen) => new Uint8Array(Buffer.from(citizen.der, "base64")));
  // A valid citizen refused is a finding, not a reason to stop: counted, its sample dropped.
  const refusals: Record<string, number> = {};
  class Refused extends Error {}
  const refused = (what: string) => {
    refusals[what] = (refusals[what] ?? 0) + 1;
    throw new Refused(what);
  };
  const decide = async (store: TrustStore, leaf: Uint8Array) => {
    const decision = await decideCertificate([leaf], { trustStore: store });
    if (!decision.ok) refused(`${decision.code}: ${decision.detail}`);
  };
  const time = async (fn: () => Promise<void>) => {
    const start = performance.now();
    try {
      await fn();
    } catch (error) {
      if (error instanceof Refused) return undefined;
      throw error;
    }
    return performance.now() - start;
  };
  const sample = (into: number[]) => (ms: number | undefined) => {
    if (ms !== undefined) into.push(ms);
  };
  const buildStore = () =>
    TrustStore.fromCertificates({
      anchors: [{ certificate: ParsedCertificate.fromDer(rootDer), profile: 'es-dnie', environment: 'test' }],
      intermediates: [ParsedCertificate.fromDer(issuingDer)],
    });

  const cold: number[] = [];
  for (let i = 0; i < Math.min(rounds, 200); i += 1) {
    const leaf = leaves[i % leaves.length]!;
    sample(cold)(await time(() => decide(buildStore(), leaf)));
  }

  // Warm: one store; half the citizens warm it up, the other half are new leaves.
  const store = buildStore();
  const half = Math.floor(leaves.length / 2);
  for (const leaf of leaves.slice(0, half)) await time(() => decide(store, leaf));
  const fresh: number[] = [];
  const unseen = leaves.slice(half);
  for (const leaf of unseen) sample(fresh)(await time(() => decide(store, leaf)));
  const returning: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const leaf = unseen[i % unseen.length]!;
    sample(returning)(await time(() => decide(store, leaf)));
  }

  // OCSP on, verdicts cached in the shared store (another instance fetched and verified them).
  const shared = new MemoryStore();
  const issuing = ParsedCertificate.fromDer(issuingDer);
  const verdicts = new StatusCache(shared);
  const now = Date.now();
  for (const leaf of leaves) {
    const key = statusCacheKey(certIdFor(ParsedCertificate.fromDer(leaf), issuing));
    await verdicts.set(key, { status: 'good', thisUpdate: now, validUntil: now + 3600_000, expiresAt: now + 3600_000, method: 'ocsp' }, now);
  }
  const checker = new RevocationChecker({ settings: revocationSettings({ methods: ['ocsp'], onFailure: 'hard' }), store: shared });
  const ocspStore = buildStore();
  const decideWithOcsp = async (leaf: Uint8Array) => {
    const decision = await decideCertificate([leaf], { trustStore: ocspStore, revocation: checker });
    if (!decision.ok) refused(`${decision.code}: ${decision.detail}`);
    if (decision.ok && decision.revocation !== 'good') {
      throw new Error(`OCSP-cached validation did not say good: ${decision.revocation}`);
    }
  };
  for (const leaf of leaves.slice(0, half)) await time(() => decideWithOcsp(leaf));
  const ocspFresh: number[] = [];
  for (const leaf of unseen) sample(ocspFresh)(await time(() => decideWithOcsp(leaf)));
  const ocspReturning: number[] = [];
  for (let i = 0; i < rounds; i += 1) sample(ocspReturning)(await time(() => decideWithOcsp(unseen[i % unseen.length]!)));
  await checker.close();

  const engine: number[] = [];
  for (let i = 0; i < Math.min(rounds, 300); i += 1) {
    const leaf = leaves[i % leaves.length]!;
    sample(engine)(
      await time(async () => {
        const validator = new pkijs.CertificateChainValidationEngine({
          trustedCerts: [pkijs.Certificate.fromBER(rootDer)],
          certs: [pkijs.Certificate.fromBER(issuingDer), pkijs.Certificate.fromBER(leaf)],
          checkDate: new Date(),
        });
        const result = await validator.verify();
        if (!result.result) throw new Error(`pkijs refused a bench citizen: ${result.resultMessage}`);
      }),
    );
  }

  const result = {
    refusals,
    coldMs: distribution(cold),
    newLeafWarmMs: distribution(fresh),
    returningCardMs: distribution(returning),
    newLeafOcspCachedMs: distribution(ocspFresh),
    returningCardOcspMs: distribution(ocspReturning),
    pkijsEngineMs: distribution(engine),
  };
  return {
    ...result,
    ratios: {
      pkijsOverNewLeaf: round(result.pkijsEngineMs.p50 / result.newLeafOcspCachedMs.p50, 1),
      pkijsOverReturning: round(result.pkijsEngineMs.p50 / result.returningCardOcspMs.p50, 1),
    },
    revocation: 'OCSP, hard-fail, verdicts cached in the shared store (memory); the responder itself is not on the timed path',
  };
}

function pemToDer(pem: string): Uint8Array<ArrayBuffer> {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(body, 'base64'));
}
