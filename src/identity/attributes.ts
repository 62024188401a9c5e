import type { CertificateFacts, NameAttribute } from './types.js';

/**
 * Reading distinguished-name attributes by short name or OID. Lookups go by OID, because the
 * short name the pki layer attaches is a convenience that may be missing for rare types.
 */

/** OIDs of the attributes that card profiles read. */
export const ATTRIBUTE_OIDS: Readonly<Record<string, string>> = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  serialNumber: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  title: '2.5.4.12',
  description: '2.5.4.13',
  GN: '2.5.4.42',
  initials: '2.5.4.43',
  generationQualifier: '2.5.4.44',
  dnQualifier: '2.5.4.46',
  pseudonym: '2.5.4.65',
  organizationIdentifier: '2.5.4.97',
  E: '1.2.840.113549.1.9.1',
  UID: '0.9.2342.19200300.100.1.1',
};

const DOTTED_OID = /^[0-2](\.(0|[1-9]\d*))+$/;

/** The OID for a short name (`GN`, `givenName` is not accepted) or a dotted OID; else undefined. */
export function attributeOid(nameOrOid: string): string | undefined {
  if (DOTTED_OID.test(nameOrOid)) return nameOrOid;
  return ATTRIBUTE_OIDS[nameOrOid];
}

/** Every value of one attribute, in certificate order. */
export function attributeValues(name: readonly NameAttribute[], nameOrOid: string): string[] {
  const oid = attributeOid(nameOrOid);
  if (oid === undefined) return [];
  return name.filter((attribute) => attribute.oid === oid).map((attribute) => attribute.value);
}

/** The first value of one attribute, or undefined when the name does not carry it. */
export function attributeValue(
  name: readonly NameAttribute[],
  nameOrOid: string,
): string | undefined {
  return attributeValues(name, nameOrOid)[0];
}

/** Shorthand for the leaf's subject. */
export function subjectValue(facts: CertificateFacts, nameOrOid: string): string | undefined {
  return attributeValue(facts.subject, nameOrOid);
}
