import { AsnConvert } from '@peculiar/asn1-schema';
import * as ax from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';
import type { ParsedCertificate } from './certificate.js';
import { EXT } from './extensions.js';
import { decodeName } from './names.js';

/**
 * Name constraints of RFC 5280 §4.2.1.10 and §6.1.3 (b)–(c), §6.1.4 (g): directory names,
 * email (rfc822) names, DNS names and URIs. Instead of computing intersections of permitted
 * subtrees, each CA's permitted set is kept and a name must fall inside every one of them;
 * excluded subtrees accumulate. IP-address constraints are not evaluated: a certificate with
 * an IP address under an IP constraint is refused (fail closed; eID cards carry none).
 */

type NameType = 'dn' | 'email' | 'dns' | 'uri' | 'ip';

interface Subtree {
  type: NameType;
  /** Lower-cased value for email/dns/uri; RDN keys for dn. */
  value: string;
  rdnKeys: readonly string[];
}

interface CertName {
  type: NameType;
  value: string;
  rdnKeys: readonly string[];
}

export type NameCheck = { ok: true } | { ok: false; detail: string };

const EMAIL_ATTRIBUTE = '1.2.840.113549.1.9.1';

const UNSUPPORTED_IP: NameCheck = {
  ok: false,
  detail: 'IP address constraints are not evaluated: refused',
};

export class NameConstraintsState {
  /** One entry per CA with permittedSubtrees: a name must match each entry of its type. */
  private readonly permitted: Subtree[][] = [];
  private readonly excluded: Subtree[] = [];

  /** Whether any constraint has been seen (most eID paths have none: skip all work). */
  get active(): boolean {
    return this.permitted.length > 0 || this.excluded.length > 0;
  }

  /** Checks the subject and subjectAltNames of one certificate against what CAs above set. */
  check(certificate: ParsedCertificate): NameCheck {
    if (!this.active) return { ok: true };

    for (const name of namesOf(certificate)) {
      for (const set of this.permitted) {
        const sameType = set.filter((subtree) => subtree.type === name.type);
        if (sameType.length === 0) continue;
        if (name.type === 'ip') return UNSUPPORTED_IP;
        if (!sameType.some((subtree) => matches(subtree, name))) {
          return { ok: false, detail: `${label(name.type)} outside the permitted subtrees` };
        }
      }
      for (const subtree of this.excluded) {
        if (subtree.type !== name.type) continue;
        if (name.type === 'ip') return UNSUPPORTED_IP;
        if (matches(subtree, name)) {
          return { ok: false, detail: `${label(name.type)} inside an excluded subtree` };
        }
      }
    }
    return { ok: true };
  }

  /** Adds the nameConstraints of a CA certificate. */
  add(certificate: ParsedCertificate): void {
    const constraints = certificate.decodeExtension(EXT.nameConstraints, ax.NameConstraints);
    if (!constraints) return;
    if (constraints.permittedSubtrees) {
      this.permitted.push(subtrees(constraints.permittedSubtrees));
    }
    if (constraints.excludedSubtrees) {
      this.excluded.push(...subtrees(constraints.excludedSubtrees));
    }
  }
}

function label(type: NameType): string {
  const labels: Record<NameType, string> = {
    dn: 'directory name',
    email: 'email address',
    dns: 'DNS name',
    uri: 'URI',
    ip: 'IP address',
  };
  return labels[type];
}

function subtrees(list: ax.GeneralSubtrees): Subtree[] {
  return list
    .map((subtree) => generalName(subtree.base))
    .filter((name): name is Subtree => name !== undefined);
}

function generalName(name: ax.GeneralName): CertName | undefined {
  if (name.rfc822Name !== undefined) return plain('email', name.rfc822Name);
  if (name.dNSName !== undefined) return plain('dns', name.dNSName);
  if (name.uniformResourceIdentifier !== undefined) {
    return plain('uri', name.uniformResourceIdentifier);
  }
  if (name.iPAddress !== undefined) return plain('ip', name.iPAddress);
  if (name.directoryName !== undefined) {
    const parsed = asn1js.fromBER(AsnConvert.serialize(name.directoryName));
    if (parsed.offset === -1) return undefined;
    return { type: 'dn', value: '', rdnKeys: decodeName(parsed.result).rdnKeys };
  }
  return undefined;
}

function plain(type: NameType, value: string): CertName {
  return { type, value: value.toLowerCase(), rdnKeys: [] };
}

function namesOf(certificate: ParsedCertificate): CertName[] {
  const names: CertName[] = [];
  if (certificate.subjectRdnKeys.length > 0) {
    names.push({ type: 'dn', value: '', rdnKeys: certificate.subjectRdnKeys });
  }
  for (const attribute of certificate.subject) {
    if (attribute.oid === EMAIL_ATTRIBUTE) names.push(plain('email', attribute.value));
  }
  const altNames = certificate.decodeExtension(EXT.subjectAltName, ax.SubjectAlternativeName);
  for (const altName of altNames ?? []) {
    const name = generalName(altName);
    if (name) names.push(name);
  }
  return names;
}

function matches(subtree: Subtree, name: CertName): boolean {
  switch (subtree.type) {
    case 'dn':
      return subtree.rdnKeys.every((key, index) => name.rdnKeys[index] === key);
    case 'email':
      return emailMatches(subtree.value, name.value);
    case 'dns':
      return hostMatches(subtree.value, name.value.replace(/\.$/, ''), false);
    case 'uri':
      return hostMatches(subtree.value, uriHost(name.value), true);
    default:
      return false;
  }
}

/** rfc822 constraints: a mailbox, a host (all its mailboxes) or `.domain` (its subdomains). */
function emailMatches(constraint: string, address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  if (constraint.includes('@')) return constraint === address;
  const host = address.slice(at + 1);
  if (constraint.startsWith('.')) return host.endsWith(constraint);
  return host === constraint;
}

/**
 * DNS constraints match the name and its subdomains; URI constraints match the host exactly,
 * or, written `.domain`, its subdomains only.
 */
function hostMatches(constraint: string, host: string | undefined, exact: boolean): boolean {
  if (host === undefined || host === '') return false;
  if (constraint === '') return true;
  if (constraint.startsWith('.')) return host.endsWith(constraint);
  if (host === constraint) return true;
  return !exact && host.endsWith(`.${constraint}`);
}

function uriHost(uri: string): string | undefined {
  try {
    return new URL(uri).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}
