import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { defineProfile } from '../../src/identity/profiles/common.js';
import { esDnie } from '../../src/identity/profiles/es-dnie.js';
import { makeDniePki } from '../support/pki.js';
import { decideCertificate } from '../../src/pki/decision.js';
import { validatePath, type PathResult } from '../../src/pki/validate-path.js';
import {
  cert,
  der,
  NOW,
  storeOf,
  threeLevels,
  withBadSignature,
  YEAR_MS,
  type TestKeyKind,
} from './helpers.js';

function refusal(result: PathResult) {
  assert.equal(result.ok, false, 'expected a refusal');
  return result as Extract<PathResult, { ok: false }>;
}

function accepted(result: PathResult) {
  assert.equal(result.ok, true, result.ok ? '' : `${result.code}: ${result.detail}`);
  return result as Extract<PathResult, { ok: true }>;
}

describe('validatePath', () => {
  for (const keyKind of ['rsa-2048', 'rsa-pss', 'ec-p256', 'ec-p384'] as TestKeyKind[]) {
    it(`accepts a leaf sent with its intermediate under a ${keyKind} root`, async () => {
      const { root, intermediate, leaf } = await threeLevels(keyKind);
      const result = accepted(
        await validatePath([der(leaf), der(intermediate)], storeOf([root]), { at: NOW }),
      );
      assert.equal(result.path.length, 2);
      assert.equal(result.path[1]?.sha256, result.path[1]?.sha256);
      assert.equal(result.anchor.certificate.subjectKey, result.path[1]?.issuerKey);
      assert.ok(result.checks.every((check) => check.ok));
    });
  }

  it('completes a path with an intermediate known only to the store', async () => {
    const { root, intermediate, leaf } = await threeLevels();
    const result = accepted(
      await validatePath([der(leaf)], storeOf([root], [intermediate]), { at: NOW }),
    );
    assert.equal(result.path.length, 2);
  });

  it('refuses a lone leaf whose intermediate nobody supplies as untrusted', async () => {
    const { root, leaf } = await threeLevels();
    const result = refusal(await validatePath([der(leaf)], storeOf([root]), { at: NOW }));
    assert.equal(result.code, 'CHAIN_UNTRUSTED');
    assert.ok(result.leaf, 'the parsed leaf comes back for logging');
  });

  it('builds the path whatever order and extras the client sends', async () => {
    const { root, intermediate, leaf } = await threeLevels();
    const stranger = await cert({ cn: 'Unrelated CA', ca: {} });
    const presented = [der(leaf), der(stranger), der(root), der(intermediate), der(intermediate)];
    const result = accepted(await validatePath(presented, storeOf([root]), { at: NOW }));
    assert.deepEqual(
      result.path.map((c) => c.sha256),
      [result.leaf.sha256, result.path[1]?.sha256],
    );
  });

  it('ignores an unparseable extra certificate', async () => {
    const { root, intermediate, leaf } = await threeLevels();
    const junk = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]);
    const presented = [der(leaf), junk, der(intermediate)];
    accepted(await validatePath(presented, storeOf([root]), { at: NOW }));
  });

  it('refuses garbage as the leaf as malformed and nothing as missing', async () => {
    const { root } = await threeLevels();
    const garbage = refusal(await validatePath([new Uint8Array([1, 2, 3])], storeOf([root])));
    assert.equal(garbage.code, 'CERT_MALFORMED');
    assert.equal(refusal(await validatePath([], storeOf([root]))).code, 'CERT_MISSING');
  });

  it('terminates quickly on a cross-signed loop that reaches no anchor', async () => {
    const a = await cert({ cn: 'Loop A', ca: {} });
    const b = await cert({ cn: 'Loop B', ca: {} });
    const aByB = await cert({ cn: 'Loop A', ca: {}, keys: a.keys, issuer: b });
    const bByA = await cert({ cn: 'Loop B', ca: {}, keys: b.keys, issuer: a });
    const leaf = await cert({ cn: 'Looping citizen', issuer: a });
    const elsewhere = await cert({ cn: 'Unrelated root', ca: {} });
    const presented = [der(leaf), der(aByB), der(bByA), der(a), der(b)];
    const result = refusal(await validatePath(presented, storeOf([elsewhere]), { at: NOW }));
    assert.equal(result.code, 'CHAIN_UNTRUSTED');
  });

  it('finds the way out of a cross-signed set to the anchor', async () => {
    const a = await cert({ cn: 'Cross A', ca: {} });
    const b = await cert({ cn: 'Cross B', ca: {} });
    const aByB = await cert({ cn: 'Cross A', ca: {}, keys: a.keys, issuer: b });
    const bByA = await cert({ cn: 'Cross B', ca: {}, keys: b.keys, issuer: a });
    const leaf = await cert({ cn: 'Crossing citizen', issuer: a });
    const presented = [der(leaf), der(bByA), der(aByB)];
    const result = accepted(await validatePath(presented, storeOf([b]), { at: NOW }));
    assert.equal(result.path.length, 2);
  });

  it('says the chain is too complex when the bounds stop the search', async () => {
    const { root, intermediate } = await threeLevels();
    const second = await cert({ cn: 'Second level', ca: {}, issuer: intermediate });
    const leaf = await cert({ cn: 'Deep citizen', issuer: second });
    const presented = [der(leaf), der(second), der(intermediate)];
    const result = refusal(
      await validatePath(presented, storeOf([root]), { at: NOW, maxPathLength: 2 }),
    );
    assert.equal(result.code, 'CHAIN_TOO_COMPLEX');
  });

  it('refuses an expired leaf and one not yet valid', async () => {
    const { root, intermediate } = await threeLevels();
    const old = await cert({
      cn: 'Expired citizen',
      issuer: intermediate,
      notBefore: new Date(NOW.getTime() - 2 * YEAR_MS),
      notAfter: new Date(NOW.getTime() - YEAR_MS),
    });
    const early = await cert({
      cn: 'Future citizen',
      issuer: intermediate,
      notBefore: new Date(NOW.getTime() + YEAR_MS),
      notAfter: new Date(NOW.getTime() + 2 * YEAR_MS),
    });
    const store = storeOf([root], [intermediate]);
    assert.equal(refusal(await validatePath([der(old)], store, { at: NOW })).code, 'CERT_EXPIRED');
    const notYet = refusal(await validatePath([der(early)], store, { at: NOW }));
    assert.equal(notYet.code, 'CERT_NOT_YET_VALID');
  });

  it('refuses a path through an expired intermediate', async () => {
    const root = await cert({ cn: 'Root', ca: {} });
    const intermediate = await cert({
      cn: 'Expired issuing CA',
      ca: {},
      issuer: root,
      notAfter: new Date(NOW.getTime() - 1000),
    });
    const leaf = await cert({ cn: 'Citizen', issuer: intermediate });
    const result = refusal(
      await validatePath([der(leaf), der(intermediate)], storeOf([root]), { at: NOW }),
    );
    assert.equal(result.code, 'CERT_EXPIRED');
  });

  it('refuses a leaf whose signature does not verify', async () => {
    const { root, intermediate, leaf } = await threeLevels('rsa-2048');
    const result = refusal(
      await validatePath([withBadSignature(leaf), der(intermediate)], storeOf([root]), { at: NOW }),
    );
    assert.equal(result.code, 'CERT_SIGNATURE_INVALID');
  });

  it('refuses an anchor with the right name but another key', async () => {
    const { root, intermediate, leaf } = await threeLevels();
    const impostor = await cert({ cn: 'Root ec-p256', ca: {} });
    const result = refusal(
      await validatePath([der(leaf), der(intermediate), der(root)], storeOf([impostor]), {
        at: NOW,
      }),
    );
    assert.equal(result.code, 'CHAIN_UNTRUSTED');
  });

  it('refuses a path with a non-CA certificate in the middle', async () => {
    const root = await cert({ cn: 'Root', ca: {} });
    const notCa = await cert({
      cn: 'Not a CA',
      issuer: root,
      keyUsage: x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature,
    });
    const leaf = await cert({ cn: 'Citizen', issuer: notCa });
    const result = refusal(
      await validatePath([der(leaf), der(notCa)], storeOf([root]), { at: NOW }),
    );
    assert.equal(result.code, 'CHAIN_INVALID');
  });

  it('refuses a CA whose key usage lacks keyCertSign', async () => {
    const root = await cert({ cn: 'Root', ca: {} });
    const intermediate = await cert({
      cn: 'CRL-only CA',
      ca: {},
      issuer: root,
      keyUsage: x509.KeyUsageFlags.cRLSign,
    });
    const leaf = await cert({ cn: 'Citizen', issuer: intermediate });
    const result = refusal(
      await validatePath([der(leaf), der(intermediate)], storeOf([root]), { at: NOW }),
    );
    assert.equal(result.code, 'CHAIN_INVALID');
  });

  it('refuses a path longer than a pathLenConstraint allows', async () => {
    const root = await cert({ cn: 'Root', ca: {} });
    const first = await cert({ cn: 'Level 1', ca: { pathLength: 0 }, issuer: root });
    const second = await cert({ cn: 'Level 2', ca: {}, issuer: first });
    const leaf = await cert({ cn: 'Citizen', issuer: second });
    const result = refusal(
      await validatePath([der(leaf), der(second), der(first)], storeOf([root]), { at: NOW }),
    );
    assert.equal(result.code, 'CHAIN_INVALID');
    assert.match(result.detail, /path length/);
  });

  it('accepts a path exactly as long as pathLenConstraint allows', async () => {
    const root = await cert({ cn: 'Root', ca: { pathLength: 1 } });
    const first = await cert({ cn: 'Level 1', ca: { pathLength: 0 }, issuer: root });
    const leaf = await cert({ cn: 'Citizen', issuer: first });
    accepted(await validatePath([der(leaf), der(first)], storeOf([root]), { at: NOW }));
  });

  it('refuses an unknown critical extension in the leaf or in a CA', async () => {
    const unknown = new x509.Extension('1.3.6.1.4.1.99999.1', true, new Uint8Array([5, 0]));
    const root = await cert({ cn: 'Root', ca: {} });
    const odd = await cert({ cn: 'Odd CA', ca: {}, issuer: root, extensions: [unknown] });
    const leafUnderOdd = await cert({ cn: 'Citizen', issuer: odd });
    const fine = await cert({ cn: 'Fine CA', ca: {}, issuer: root });
    const oddLeaf = await cert({ cn: 'Odd citizen', issuer: fine, extensions: [unknown] });
    const store = storeOf([root], [odd, fine]);
    const inCa = refusal(await validatePath([der(leafUnderOdd)], store, { at: NOW }));
    assert.equal(inCa.code, 'CERT_UNKNOWN_CRITICAL_EXTENSION');
    const inLeaf = refusal(await validatePath([der(oddLeaf)], store, { at: NOW }));
    assert.equal(inLeaf.code, 'CERT_UNKNOWN_CRITICAL_EXTENSION');
  });

  it('accepts an unknown extension that is not critical', async () => {
    const harmless = new x509.Extension('1.3.6.1.4.1.99999.2', false, new Uint8Array([5, 0]));
    const { root, intermediate } = await threeLevels();
    const leaf = await cert({ cn: 'Citizen', issuer: intermediate, extensions: [harmless] });
    accepted(await validatePath([der(leaf), der(intermediate)], storeOf([root]), { at: NOW }));
  });

  it('reports the leaf key usage and leaves judging it to the card profile', async () => {
    // RFC 5280 §6.1 does not process the end entity's key usage; decideCertificate does, so
    // that a card's signature certificate is refused as such (test/pki/fixtures.test.ts).
    const { root, intermediate } = await threeLevels();
    const signing = await cert({
      cn: 'Signing citizen',
      issuer: intermediate,
      keyUsage: x509.KeyUsageFlags.nonRepudiation,
    });
    const result = accepted(
      await validatePath([der(signing), der(intermediate)], storeOf([root]), { at: NOW }),
    );
    const line = result.checks.find((check) => check.name.startsWith('key usage: leaf'));
    assert.equal(line?.detail, 'nonRepudiation');
  });

  it('refuses through decideCertificate a leaf without digitalSignature even if a profile allows it', async () => {
    const pki = await makeDniePki();
    const signing = await pki.citizen({ keyUsage: x509.KeyUsageFlags.nonRepudiation });
    // An administrator's profile that forgot the key usage rule: the decision still refuses.
    const lenient = defineProfile({
      ...esDnie,
      id: 'lenient-test',
      purpose: { authentication: () => ({ ok: true }), signature: () => false },
    });
    const decision = await decideCertificate([der(signing), der(pki.issuing)], {
      trustStore: storeOf([pki.root]),
      profiles: [lenient],
    });
    assert.equal(decision.ok ? 'accepted' : decision.code, 'CERT_WRONG_USAGE');
    assert.match(decision.ok ? '' : decision.detail, /digitalSignature/);
  });

  it('answers a returning card from its cached decision', async () => {
    const { root, intermediate, leaf } = await threeLevels();
    const store = storeOf([root]);
    const first = accepted(await validatePath([der(leaf), der(intermediate)], store));
    const again = accepted(await validatePath([der(leaf), der(intermediate)], store));
    assert.equal(again, first, 'the very same decision object');
    assert.equal(again.leaf, first.leaf, 'the leaf is not parsed twice');
  });

  it('never reuses a cached decision past the leaf notAfter', async () => {
    const { root, intermediate, leaf } = await threeLevels();
    const store = storeOf([root]);
    accepted(await validatePath([der(leaf), der(intermediate)], store, { at: NOW }));
    const later = new Date(leaf.certificate.notAfter.getTime() + 1000);
    const result = refusal(
      await validatePath([der(leaf), der(intermediate)], store, { at: later }),
    );
    assert.equal(result.code, 'CERT_EXPIRED');
  });
});
