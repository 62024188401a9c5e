import * as ax from '@peculiar/asn1-x509';
import type { ParsedCertificate } from './certificate.js';
import { EXT } from './extensions.js';

/**
 * Certificate policy processing of RFC 5280 §6.1 (valid_policy_tree, explicit_policy,
 * policy_mapping, inhibit_anyPolicy), one certificate at a time from the anchor down.
 *
 * What it yields is deliberately narrow: the policies the leaf itself asserts and every CA
 * above permits. A leaf is never accepted for a policy merely because some certificate says
 * anyPolicy; card profiles match the returned OIDs, and an `initialPolicySet` is satisfied
 * only by explicit OIDs.
 */

export const ANY_POLICY = '2.5.29.32.0';

/** RFC 5280 §6.1.1 inputs c, e, f, g. Defaults are PKITS's: any policy, nothing required. */
export interface PolicyInputs {
  /** user-initial-policy-set; default { anyPolicy }. */
  initialPolicySet?: readonly string[];
  /** initial-explicit-policy: the path must be valid for at least one policy. */
  requireExplicitPolicy?: boolean;
  /** initial-policy-mapping-inhibit. */
  inhibitPolicyMapping?: boolean;
  /** initial-any-policy-inhibit. */
  inhibitAnyPolicy?: boolean;
}

interface PolicyNode {
  validPolicy: string;
  expected: Set<string>;
  parent: PolicyNode | undefined;
  children: PolicyNode[];
  depth: number;
}

export type PolicyStep = { ok: true } | { ok: false; detail: string };

const OK: PolicyStep = { ok: true };

export type PolicyOutcome = { ok: true; policies: string[] } | { ok: false; detail: string };

export class PolicyProcessor {
  private root: PolicyNode | undefined;
  private explicitPolicy: number;
  private policyMapping: number;
  private inhibitAnyPolicy: number;
  private readonly n: number;
  private readonly initialSet: ReadonlySet<string>;

  /** @param n the number of certificates in the path, the anchor excluded */
  constructor(n: number, inputs: PolicyInputs = {}) {
    this.n = n;
    this.explicitPolicy = inputs.requireExplicitPolicy ? 0 : n + 1;
    this.policyMapping = inputs.inhibitPolicyMapping ? 0 : n + 1;
    this.inhibitAnyPolicy = inputs.inhibitAnyPolicy ? 0 : n + 1;
    this.initialSet = new Set(inputs.initialPolicySet ?? [ANY_POLICY]);
    this.root = node(ANY_POLICY, [ANY_POLICY], undefined, 0);
  }

  /** RFC 5280 §6.1.3 (d)–(f) for certificate `i` (1 = just below the anchor, n = the leaf). */
  process(certificate: ParsedCertificate, i: number): PolicyStep {
    const policies = certificate.decodeExtension(EXT.certificatePolicies, ax.CertificatePolicies);
    if (policies === undefined) {
      this.root = undefined;
    } else if (this.root !== undefined) {
      this.addPolicies(policies, certificate, i);
    }
    if (this.explicitPolicy <= 0 && this.root === undefined) {
      return { ok: false, detail: 'no certificate policy is valid for the whole path' };
    }
    return OK;
  }

  /** RFC 5280 §6.1.4 (a), (b), (h), (i), (j) after certificate `i`, which is not the leaf. */
  prepareNext(certificate: ParsedCertificate, i: number): PolicyStep {
    const mappings = certificate.decodeExtension(EXT.policyMappings, ax.PolicyMappings);
    if (mappings) {
      const anyMapped = mappings.some(
        (m) => m.issuerDomainPolicy === ANY_POLICY || m.subjectDomainPolicy === ANY_POLICY,
      );
      if (anyMapped) return { ok: false, detail: 'a policy mapping maps anyPolicy' };
      this.applyMappings(mappings, i);
    }

    if (!certificate.selfIssued) {
      if (this.explicitPolicy > 0) this.explicitPolicy -= 1;
      if (this.policyMapping > 0) this.policyMapping -= 1;
      if (this.inhibitAnyPolicy > 0) this.inhibitAnyPolicy -= 1;
    }
    const constraints = certificate.decodeExtension(EXT.policyConstraints, ax.PolicyConstraints);
    const require = constraints?.requireExplicitPolicy;
    if (require !== undefined) {
      this.explicitPolicy = Math.min(this.explicitPolicy, skipCerts(require));
    }
    const inhibit = constraints?.inhibitPolicyMapping;
    if (inhibit !== undefined) {
      this.policyMapping = Math.min(this.policyMapping, skipCerts(inhibit));
    }
    const inhibitAny = certificate.decodeExtension(EXT.inhibitAnyPolicy, ax.InhibitAnyPolicy);
    if (inhibitAny !== undefined) {
      this.inhibitAnyPolicy = Math.min(this.inhibitAnyPolicy, skipCerts(inhibitAny.value));
    }
    return OK;
  }

  /**
   * RFC 5280 §6.1.5 (a), (b), (g) for the leaf. On success, `policies` holds the OIDs the leaf
   * itself asserts that every CA above permits and the initial policy set accepts: never an
   * OID reached only through anyPolicy.
   */
  wrapUp(leaf: ParsedCertificate): PolicyOutcome {
    if (this.explicitPolicy > 0) this.explicitPolicy -= 1;
    const constraints = leaf.decodeExtension(EXT.policyConstraints, ax.PolicyConstraints);
    const require = constraints?.requireExplicitPolicy;
    if (require !== undefined && skipCerts(require) === 0) this.explicitPolicy = 0;

    const leafNodes = this.root ? nodesAt(this.root, this.n) : [];
    // The intersection with the user-initial-policy-set (§6.1.5 g), judged by the policy each
    // branch had in the anchor's domain, before any mapping. Unlike the RFC, a leaf-level
    // anyPolicy node is not expanded into the initial set: anyPolicy alone satisfies nothing.
    const kept = this.initialSet.has(ANY_POLICY)
      ? leafNodes
      : leafNodes.filter(
          (n) => n.validPolicy !== ANY_POLICY && this.initialSet.has(domainPolicy(n)),
        );
    if (this.explicitPolicy <= 0 && kept.length === 0) {
      return { ok: false, detail: 'the path is valid for no acceptable certificate policy' };
    }
    const asserted = new Set(leaf.facts().policies);
    const policies = kept
      .map((n) => n.validPolicy)
      .filter((policy) => policy !== ANY_POLICY && asserted.has(policy));
    return { ok: true, policies: [...new Set(policies)] };
  }

  private addPolicies(policies: ax.CertificatePolicies, certificate: ParsedCertificate, i: number) {
    const parents = this.root ? nodesAt(this.root, i - 1) : [];
    let anyPresent = false;
    for (const information of policies) {
      const policy = information.policyIdentifier;
      if (policy === ANY_POLICY) {
        anyPresent = true;
        continue;
      }
      const matching = parents.filter((parent) => parent.expected.has(policy));
      const targets =
        matching.length > 0
          ? matching
          : parents.filter((parent) => parent.validPolicy === ANY_POLICY);
      for (const parent of targets) addChild(parent, policy, [policy]);
    }
    const anyAllowed = this.inhibitAnyPolicy > 0 || (i < this.n && certificate.selfIssued);
    if (anyPresent && anyAllowed) {
      for (const parent of parents) {
        for (const expected of parent.expected) {
          if (parent.children.some((child) => child.validPolicy === expected)) continue;
          addChild(parent, expected, [expected]);
        }
      }
    }
    this.prune(i);
  }

  private applyMappings(mappings: ax.PolicyMappings, i: number) {
    if (this.root === undefined) return;
    const mapped = new Map<string, Set<string>>();
    for (const mapping of mappings) {
      const set = mapped.get(mapping.issuerDomainPolicy) ?? new Set<string>();
      set.add(mapping.subjectDomainPolicy);
      mapped.set(mapping.issuerDomainPolicy, set);
    }
    const level = nodesAt(this.root, i);
    for (const [issuerPolicy, subjectPolicies] of mapped) {
      const nodes = level.filter((n) => n.validPolicy === issuerPolicy);
      if (this.policyMapping > 0) {
        for (const n of nodes) n.expected = new Set(subjectPolicies);
        const anyNode = level.find((n) => n.validPolicy === ANY_POLICY);
        if (nodes.length === 0 && anyNode?.parent) {
          addChild(anyNode.parent, issuerPolicy, [...subjectPolicies]);
        }
      } else {
        for (const n of nodes) detach(n);
        this.prune(i);
      }
    }
  }

  /** Removes childless nodes above `depth`, bottom up; an empty tree becomes NULL. */
  private prune(depth: number): void {
    if (this.root === undefined) return;
    for (let d = depth - 1; d >= 0; d -= 1) {
      for (const n of nodesAt(this.root, d)) {
        if (n.children.length === 0) detach(n);
      }
    }
    if (this.root.children.length === 0 && depth > 0) this.root = undefined;
  }
}

function node(
  validPolicy: string,
  expected: string[],
  parent: PolicyNode | undefined,
  depth: number,
): PolicyNode {
  return { validPolicy, expected: new Set(expected), parent, children: [], depth };
}

function addChild(parent: PolicyNode, validPolicy: string, expected: string[]): void {
  parent.children.push(node(validPolicy, expected, parent, parent.depth + 1));
}

function detach(n: PolicyNode): void {
  if (!n.parent) return;
  n.parent.children = n.parent.children.filter((child) => child !== n);
}

function nodesAt(root: PolicyNode, depth: number): PolicyNode[] {
  let level = [root];
  for (let d = 0; d < depth; d += 1) level = level.flatMap((n) => n.children);
  return level;
}

/** The policy a branch had in the anchor's domain: its topmost node below anyPolicy. */
function domainPolicy(n: PolicyNode): string {
  let current = n;
  while (current.parent && current.parent.validPolicy !== ANY_POLICY) current = current.parent;
  return current.validPolicy;
}

/** SkipCerts (an INTEGER's content octets, as asn1-x509 leaves it) as a number, capped. */
function skipCerts(value: ArrayBuffer): number {
  const hex = Buffer.from(value).toString('hex');
  if (hex.length === 0) return 0;
  const parsed = BigInt(`0x${hex}`);
  return parsed > 1_000_000n ? 1_000_000 : Number(parsed);
}
