import { createHash } from 'node:crypto';
import { EidError, type RefusalCode } from '../errors.js';
import { BoundedCache } from './bounded-cache.js';
import type { ParsedCertificate } from './certificate.js';
import { candidatePaths, type BuildReport } from './path-builder.js';
import { checkPath, type Check } from './path-checks.js';
import type { PolicyInputs } from './policy-tree.js';
import type { TrustAnchor, TrustStore } from './trust-store.js';

export type { Check } from './path-checks.js';

/** Outcome of path validation: the validated path, or the reason it was refused. */
export type PathResult =
  | {
      ok: true;
      leaf: ParsedCertificate;
      /** Leaf first, ending with the certificate the anchor signed. */
      path: ParsedCertificate[];
      anchor: TrustAnchor;
      /**
       * Policy OIDs the leaf itself asserts that the whole path permits (never one reached
       * through anyPolicy alone); a card profile requiring a policy matches against these.
       */
      policies: string[];
      checks: Check[];
    }
  | {
      ok: false;
      code: RefusalCode;
      /** For the log: CA names and hashes only, never the leaf's subject. */
      detail: string;
      checks: Check[];
      /** The leaf, when it could be parsed. */
      leaf?: ParsedCertificate;
      /** How much path building did before giving up (bounded; see ValidatePathOptions). */
      search?: SearchEffort;
    };

/** The work path building did for one presented chain. */
export interface SearchEffort {
  signatureChecks: number;
  candidatePaths: number;
  /** The bound that stopped the search, if one did. */
  stoppedBy?: string;
}

export interface ValidatePathOptions extends PolicyInputs {
  /** Validation time; default now. */
  at?: Date;
  /** Most certificates in a path, leaf included, anchor excluded. Default 8. */
  maxPathLength?: number;
  /** Most complete candidate paths checked before giving up. Default 8. */
  maxCandidatePaths?: number;
  /** Wall-clock budget for path building, milliseconds. Default 1000. */
  timeBudgetMs?: number;
  /** How long a successful decision is reused for the same presented chain. Default 60 000. */
  decisionTtlMs?: number;
}

const DEFAULTS = {
  maxPathLength: 8,
  maxCandidatePaths: 8,
  // A backstop only: the signature-check and candidate bounds limit the work. At 100 ms a busy
  // host (GC pause, CPU contention) refused a genuine card as CHAIN_TOO_COMPLEX before its
  // first signature check (seen in the full suite, test/attacks/certificate-forgery.test.ts).
  timeBudgetMs: 1000,
  decisionTtlMs: 60_000,
  // More certificates than this in one handshake is not a card; refuse before parsing them.
  maxPresented: 16,
  maxSignatureChecks: 64,
  decisionCacheEntries: 10_000,
} as const;

interface CachedDecision {
  result: Extract<PathResult, { ok: true }>;
  storedAtMs: number;
  /** The decision holds only while `at` is inside every certificate's validity. */
  validFromMs: number;
  validUntilMs: number;
}

// One cache per store: a reloaded trust configuration starts with no cached decisions.
const decisionCaches = new WeakMap<TrustStore, BoundedCache<string, CachedDecision>>();

function decisionCache(store: TrustStore): BoundedCache<string, CachedDecision> {
  let cache = decisionCaches.get(store);
  if (cache === undefined) {
    cache = new BoundedCache(DEFAULTS.decisionCacheEntries);
    decisionCaches.set(store, cache);
  }
  return cache;
}

function sha256(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

type Refusal = Extract<PathResult, { ok: false }>;

function refuse(
  code: RefusalCode,
  detail: string,
  checks: Check[] = [],
  leaf?: ParsedCertificate,
): Refusal {
  return leaf ? { ok: false, code, detail, checks, leaf } : { ok: false, code, detail, checks };
}

function remember(
  cache: BoundedCache<string, CachedDecision>,
  key: string,
  result: Extract<PathResult, { ok: true }>,
): void {
  const certificates = [...result.path, result.anchor.certificate];
  cache.set(key, {
    result,
    storedAtMs: Date.now(),
    validFromMs: Math.max(...certificates.map((c) => c.notBefore.getTime())),
    validUntilMs: Math.min(...certificates.map((c) => c.notAfter.getTime())),
  });
}

function recall(
  cache: BoundedCache<string, CachedDecision>,
  key: string,
  at: Date,
  ttlMs: number,
): PathResult | undefined {
  const cached = cache.get(key);
  if (cached === undefined) return undefined;

  const time = at.getTime();
  const fresh = Date.now() - cached.storedAtMs <= ttlMs;
  if (fresh && cached.validFromMs <= time && time <= cached.validUntilMs) return cached.result;
  cache.delete(key);
  return undefined;
}

/**
 * Validates the certificate a TLS client presented, building a path to a trust anchor.
 *
 * `presented[0]` is the leaf; the rest may be missing, out of order, duplicated, unrelated or
 * looping. Candidate paths are built from them and the store's intermediates, bounded in
 * length, count and time, and each is checked per RFC 5280 6.1 until one passes. A returning
 * card with the same presented chain reuses its decision for `decisionTtlMs`.
 *
 * @returns the validated path, or the refusal code and a detail free of personal data
 */
export async function validatePath(
  presented: Uint8Array[],
  store: TrustStore,
  options: ValidatePathOptions = {},
): Promise<PathResult> {
  const at = options.at ?? new Date();
  const maxPathLength = options.maxPathLength ?? DEFAULTS.maxPathLength;
  const ttlMs = options.decisionTtlMs ?? DEFAULTS.decisionTtlMs;
  const leafDer = presented[0];

  if (leafDer === undefined) return refuse('CERT_MISSING', 'no certificate was presented');

  if (presented.length > DEFAULTS.maxPresented) {
    return refuse('CHAIN_TOO_COMPLEX', `${presented.length} certificates presented`);
  }

  const hashes = presented.map(sha256);
  const cache = decisionCache(store);
  const policy: PolicyInputs = {
    initialPolicySet: options.initialPolicySet,
    requireExplicitPolicy: options.requireExplicitPolicy,
    inhibitPolicyMapping: options.inhibitPolicyMapping,
    inhibitAnyPolicy: options.inhibitAnyPolicy,
  };
  const cacheKey = `${maxPathLength}:${JSON.stringify(policy)}:${hashes.join(':')}`;
  const cached = ttlMs > 0 ? recall(cache, cacheKey, at, ttlMs) : undefined;
  if (cached) return cached;

  let leaf: ParsedCertificate;
  try {
    leaf = store.parsePresented(leafDer, hashes[0] ?? sha256(leafDer));
  } catch (error) {
    if (error instanceof EidError) return refuse('CERT_MALFORMED', 'the leaf could not be parsed');
    throw error;
  }

  // An unparseable extra certificate is not fatal: it may not be on the path at all.
  const others: ParsedCertificate[] = [];
  for (const [index, der] of presented.entries()) {
    if (index === 0) continue;
    try {
      others.push(store.parsePresented(der, hashes[index] ?? sha256(der)));
    } catch (error) {
      if (!(error instanceof EidError)) throw error;
    }
  }

  const report: BuildReport = {
    signatureFailure: undefined,
    exhausted: undefined,
    signatureChecks: 0,
    candidatePaths: 0,
  };
  const bounds = {
    maxPathLength,
    maxCandidatePaths: options.maxCandidatePaths ?? DEFAULTS.maxCandidatePaths,
    maxSignatureChecks: DEFAULTS.maxSignatureChecks,
    timeBudgetMs: options.timeBudgetMs ?? DEFAULTS.timeBudgetMs,
  };

  let firstFailure: Refusal | undefined;
  for (const candidate of candidatePaths(leaf, others, store, at, bounds, report)) {
    const outcome = checkPath(candidate, at, maxPathLength, policy);
    if (outcome.ok) {
      const { checks, policies } = outcome;
      const result = { ok: true as const, leaf, ...candidate, policies, checks };
      if (ttlMs > 0) remember(cache, cacheKey, result);
      return result;
    }
    firstFailure ??= refuse(outcome.code, outcome.detail, outcome.checks, leaf);
  }

  const search: SearchEffort = {
    signatureChecks: report.signatureChecks,
    candidatePaths: report.candidatePaths,
    ...(report.exhausted ? { stoppedBy: report.exhausted } : {}),
  };
  if (firstFailure) return { ...firstFailure, search };

  const searched: Check = {
    name: 'path building',
    ok: false,
    detail: `${report.signatureChecks} signature checks${
      report.exhausted ? `; stopped: ${report.exhausted}` : ''
    }`,
  };
  const refusal = (code: RefusalCode, detail: string): PathResult => ({
    ...refuse(code, detail, [searched], leaf),
    search,
  });
  if (report.signatureFailure) return refusal('CERT_SIGNATURE_INVALID', report.signatureFailure);
  if (report.exhausted) return refusal('CHAIN_TOO_COMPLEX', `no path found: ${report.exhausted}`);
  return refusal('CHAIN_UNTRUSTED', 'no path to a trust anchor');
}
