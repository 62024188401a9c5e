import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as ax from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { validatePath, type PathResult } from '../../src/pki/validate-path.js';
import { cert, der, NOW, storeOf } from './helpers.js';

const ANY = '2.5.29.32.0';
const DNIE_AUTH = '2.16.724.1.2.2.2.4';
const DNIE_SIGN = '2.16.724.1.2.2.2.3';

function code(result: PathResult): string {
  return result.ok ? 'ok' : result.code;
}

function nameConstraints(options: { permitted?: ax.GeneralName[]; excluded?: ax.GeneralName[] }) {
  const subtrees = (names: ax.GeneralName[] | undefined) =>
    names
      ? new ax.GeneralSubtrees(names.map((base) => new ax.GeneralSubtree({ base })))
      : undefined;
  const value = new ax.NameConstraints({
    permittedSubtrees: subtrees(options.permitted),
    excludedSubtrees: subtrees(options.excluded),
  });
  return new x509.Extension(ax.id_ce_nameConstraints, true, AsnConvert.serialize(value));
}

function policyConstraints(requireExplicitPolicy: number) {
  const value = new ax.PolicyConstraints({
    requireExplicitPolicy: new Uint8Array([requireExplicitPolicy]).buffer,
  });
  return new x509.Extension(ax.id_ce_policyConstraints, true, AsnConvert.serialize(value));
}

describe('certificate policies', () => {
  it('returns the policies the leaf asserts and the path permits', async () => {
    const root = await cert({ cn: 'Root', ca: {} });
    const issuing = await cert({ cn: 'Issuing', ca: {}, issuer: root, policies: [ANY] });
    const leaf = await cert({ cn: 'Citizen', issuer: issuing, policies: [DNIE_AUTH] });
    const result = await validatePath([der(leaf), der(issuing)], storeOf([root]), { at: NOW });
    assert.deepEqual(result.ok && result.policies, [DNIE_AUTH]);
  });

  it('never satisfies a required policy with anyPolicy alone', async () => {
    const root = await cert({ cn: 'Root', ca: {} });
    const issuing = await cert({ cn: 'Issuing', ca: {}, issuer: root, policies: [ANY] });
    const leaf = await cert({ cn: 'Citizen', issuer: issuing, policies: [ANY] });
    const options = { at: NOW, initialPolicySet: [DNIE_AUTH], requireExplicitPolicy: true };
    const result = await validatePath([der(leaf), der(issuing)], storeOf([root]), options);
    assert.equal(code(result), 'CERT_POLICY_MISMATCH');
  });

  it('refuses a leaf whose policy its CA does not allow when a policy is required', async () => {
    const root = await cert({ cn: 'Root', ca: {} });
    const issuing = await cert({ cn: 'Issuing', ca: {}, issuer: root, policies: [DNIE_AUTH] });
    const leaf = await cert({ cn: 'Citizen', issuer: issuing, policies: [DNIE_SIGN] });
    const store = storeOf([root]);
    const lenient = await validatePath([der(leaf), der(issuing)], store, { at: NOW });
    assert.deepEqual(lenient.ok && lenient.policies, []);
    const strict = await validatePath([der(leaf), der(issuing)], store, {
      at: NOW,
      requireExplicitPolicy: true,
    });
    assert.equal(code(strict), 'CERT_POLICY_MISMATCH');
  });

  it('applies requireExplicitPolicy set by a CA', async () => {
    const root = await cert({ cn: 'Root', ca: {} });
    const issuing = await cert({
      cn: 'Issuing',
      ca: {},
      issuer: root,
      extensions: [policyConstraints(0)],
    });
    const leaf = await cert({ cn: 'Citizen', issuer: issuing });
    const result = await validatePath([der(leaf), der(issuing)], storeOf([root]), { at: NOW });
    assert.equal(code(result), 'CERT_POLICY_MISMATCH');
  });
});

describe('name constraints', () => {
  const permitted = nameConstraints({
    permitted: [
      new ax.GeneralName({ rfc822Name: '.example.es' }),
      new ax.GeneralName({ dNSName: 'example.es' }),
    ],
    excluded: [new ax.GeneralName({ dNSName: 'bad.example.es' })],
  });

  async function underConstrainedCa(leafExtensions: x509.Extension[]) {
    const root = await cert({ cn: 'Root', ca: {} });
    const issuing = await cert({ cn: 'Issuing', ca: {}, issuer: root, extensions: [permitted] });
    const leaf = await cert({ cn: 'Citizen', issuer: issuing, extensions: leafExtensions });
    return validatePath([der(leaf), der(issuing)], storeOf([root]), { at: NOW });
  }

  function altNames(names: x509.JsonGeneralName[]) {
    return new x509.SubjectAlternativeNameExtension(names, false);
  }

  it('accepts names inside the permitted subtrees', async () => {
    const result = await underConstrainedCa([
      altNames([
        { type: 'email', value: 'citizen@mail.example.es' },
        { type: 'dns', value: 'www.example.es' },
      ]),
    ]);
    assert.equal(code(result), 'ok');
  });

  it('refuses an email address outside the permitted subtrees', async () => {
    const result = await underConstrainedCa([
      altNames([{ type: 'email', value: 'citizen@example.org' }]),
    ]);
    assert.equal(code(result), 'CERT_NAME_CONSTRAINTS');
  });

  it('refuses a DNS name inside an excluded subtree', async () => {
    const result = await underConstrainedCa([altNames([{ type: 'dns', value: 'bad.example.es' }])]);
    assert.equal(code(result), 'CERT_NAME_CONSTRAINTS');
  });

  it('refuses a subject outside a permitted directory subtree', async () => {
    const base = new ax.Name([
      new ax.RelativeDistinguishedName([
        new ax.AttributeTypeAndValue({
          type: '2.5.4.6',
          value: new ax.AttributeValue({ printableString: 'PT' }),
        }),
      ]),
    ]);
    const inPortugal = new ax.GeneralName({ directoryName: base });
    const constraint = nameConstraints({ permitted: [inPortugal] });
    const root = await cert({ cn: 'Root', ca: {} });
    const issuing = await cert({ cn: 'Issuing', ca: {}, issuer: root, extensions: [constraint] });
    const leaf = await cert({ cn: 'Spanish citizen', issuer: issuing });
    const result = await validatePath([der(leaf), der(issuing)], storeOf([root]), { at: NOW });
    assert.equal(code(result), 'CERT_NAME_CONSTRAINTS');
  });
});
