import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import type { Issued } from '../../src/cli/dev-pki.js';
import { validatePath, type PathResult } from '../../src/pki/validate-path.js';
import { cert, der, NOW, parsed, storeOf, YEAR_MS } from './helpers.js';
import { TrustStore } from '../../src/pki/trust-store.js';

/**
 * Path building is bounded: a client (or a careless trust configuration) can offer a mesh of
 * cross-signed intermediates in which the number of simple paths grows factorially. The
 * builder must stop at its bounds and say so, not spin. No timing is asserted (shared, noisy
 * machines): the tests assert the refusal code and the work counted by the builder.
 */

function refusal(result: PathResult) {
  assert.equal(result.ok, false, 'expected a refusal');
  return result as Extract<PathResult, { ok: false }>;
}

/** Defaults of validatePath (validate-path.ts): the numbers the bounds promise. */
const MAX_SIGNATURE_CHECKS = 64;
const MAX_CANDIDATE_PATHS = 8;

/**
 * `size` CAs, each with its own key, every one cross-signed by every other: size × (size-1)
 * certificates, and more simple paths through them than any builder could walk.
 */
async function crossSignedMesh(size: number, label: string, notAfter?: Date) {
  const selfSigned: Issued[] = [];
  for (let index = 0; index < size; index += 1) {
    selfSigned.push(await cert({ cn: `${label} ${index}`, ca: {} }));
  }
  const cross: Issued[] = [];
  for (const [i, subject] of selfSigned.entries()) {
    for (const [j, issuer] of selfSigned.entries()) {
      if (i === j) continue;
      cross.push(
        await cert({
          cn: `${label} ${i}`,
          ca: {},
          keys: subject.keys,
          issuer,
          ...(notAfter ? { notAfter } : {}),
        }),
      );
    }
  }
  return { selfSigned, cross };
}

describe('bounded path building', () => {
  let mesh: Awaited<ReturnType<typeof crossSignedMesh>>;
  before(async () => {
    mesh = await crossSignedMesh(6, 'Mesh CA');
  });

  it('refuses a leaf inside a cross-signed mesh that reaches no anchor, within its bounds', async () => {
    const leaf = await cert({ cn: 'Meshed citizen', issuer: mesh.selfSigned[0] });
    const elsewhere = await cert({ cn: 'Unrelated root', ca: {} });
    // The whole mesh (30 certificates) is known to the store: the client sends only its leaf.
    const store = storeOf([elsewhere], mesh.cross);
    const result = refusal(await validatePath([der(leaf)], store, { at: NOW, decisionTtlMs: 0 }));
    assert.ok(
      result.code === 'CHAIN_TOO_COMPLEX' || result.code === 'CHAIN_UNTRUSTED',
      `${result.code}: ${result.detail}`,
    );
    assert.ok(result.search, 'the refusal reports the search effort');
    assert.ok(result.search.signatureChecks <= MAX_SIGNATURE_CHECKS, JSON.stringify(result.search));
    assert.equal(result.search.candidatePaths, 0);
    // 6 CAs, 5 issuers each: a walk without bounds would need far more than 64 checks.
    assert.equal(result.code, 'CHAIN_TOO_COMPLEX');
    assert.match(result.search.stoppedBy ?? '', /signature check limit|maximum path length|time budget/);
  });

  it('refuses the same mesh sent by the client, looping back on itself', async () => {
    const leaf = await cert({ cn: 'Looping citizen', issuer: mesh.selfSigned[0] });
    const elsewhere = await cert({ cn: 'Unrelated root', ca: {} });
    // 15 certificates after the leaf: the most a handshake may bring (16 with the leaf).
    const presented = [der(leaf), ...mesh.cross.slice(0, 15).map(der)];
    const result = refusal(
      await validatePath(presented, storeOf([elsewhere]), { at: NOW, decisionTtlMs: 0 }),
    );
    assert.ok(['CHAIN_TOO_COMPLEX', 'CHAIN_UNTRUSTED'].includes(result.code), result.code);
    assert.ok((result.search?.signatureChecks ?? 0) <= MAX_SIGNATURE_CHECKS);
  });

  it('refuses more certificates than a card chain has before parsing them', async () => {
    const leaf = await cert({ cn: 'Flooding citizen', issuer: mesh.selfSigned[0] });
    const presented = [der(leaf), ...mesh.cross.slice(0, 20).map(der)];
    const result = refusal(await validatePath(presented, storeOf([mesh.selfSigned[1]!]), { at: NOW }));
    assert.equal(result.code, 'CHAIN_TOO_COMPLEX');
  });

  it('finds the short way out of the mesh to an anchor', async () => {
    const leaf = await cert({ cn: 'Escaping citizen', issuer: mesh.selfSigned[0] });
    const store = storeOf([mesh.selfSigned[4]!], mesh.cross);
    const result = await validatePath([der(leaf)], store, { at: NOW, decisionTtlMs: 0 });
    assert.equal(result.ok, true, result.ok ? '' : `${result.code}: ${result.detail}`);
  });

  it('stops after the maximum number of candidate paths when every one fails its checks', async () => {
    // Every certificate of this mesh has expired: each complete path to the anchor is a
    // candidate that fails, and there are many more than eight of them.
    const expired = await crossSignedMesh(5, 'Stale CA', new Date(NOW.getTime() - YEAR_MS / 12));
    const leaf = await cert({ cn: 'Stale citizen', issuer: expired.selfSigned[0] });
    const anchor = expired.selfSigned[4]!;
    const store = TrustStore.fromCertificates({
      anchors: [{ certificate: parsed(anchor), environment: 'test' }],
      intermediates: expired.cross.map(parsed),
    });
    const result = refusal(await validatePath([der(leaf)], store, { at: NOW, decisionTtlMs: 0 }));
    assert.equal(result.code, 'CERT_EXPIRED');
    assert.ok(result.search);
    assert.ok(result.search.candidatePaths >= 1);
    assert.ok(result.search.candidatePaths <= MAX_CANDIDATE_PATHS, JSON.stringify(result.search));
    assert.ok(result.search.signatureChecks <= MAX_SIGNATURE_CHECKS, JSON.stringify(result.search));
  });

  it('gives up with CHAIN_TOO_COMPLEX once the time budget is spent', async () => {
    // A budget already spent (negative) makes the outcome independent of the machine's speed.
    const leaf = await cert({ cn: 'Patient citizen', issuer: mesh.selfSigned[0] });
    const store = storeOf([mesh.selfSigned[4]!], mesh.cross);
    const result = refusal(
      await validatePath([der(leaf)], store, { at: NOW, decisionTtlMs: 0, timeBudgetMs: -1 }),
    );
    assert.equal(result.code, 'CHAIN_TOO_COMPLEX');
    assert.equal(result.search?.stoppedBy, 'time budget spent');
    assert.equal(result.search?.signatureChecks, 0);
  });

  it('honours a smaller candidate bound given by the caller', async () => {
    const expired = await crossSignedMesh(4, 'Old CA', new Date(NOW.getTime() - YEAR_MS / 12));
    const leaf = await cert({ cn: 'Old citizen', issuer: expired.selfSigned[0] });
    const store = storeOf([expired.selfSigned[3]!], expired.cross);
    const result = refusal(
      await validatePath([der(leaf)], store, { at: NOW, decisionTtlMs: 0, maxCandidatePaths: 2 }),
    );
    assert.equal(result.search?.candidatePaths, 2);
  });
});

describe('signature algorithms and keys', () => {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);

  async function selfSignedWith(algorithm: EcKeyGenParams | RsaHashedKeyGenParams, hash: string) {
    const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
    const name = new x509.Name([{ CN: [`Algorithm root ${algorithm.name} ${hash}`] }]);
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: '01',
      subject: name,
      issuer: name,
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T00:00:00Z'),
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      signingAlgorithm: { name: algorithm.name, hash },
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return { certificate, keys };
  }

  it('accepts an ECDSA P-521 issuing key', async () => {
    const root = await selfSignedWith({ name: 'ECDSA', namedCurve: 'P-521' }, 'SHA-512');
    const leaf = await cert({ cn: 'P-521 citizen', issuer: root });
    const result = await validatePath([der(leaf)], storeOf([root]), { at: NOW });
    assert.equal(result.ok, true, result.ok ? '' : `${result.code}: ${result.detail}`);
  });

  it('refuses a signature by a 1024-bit RSA key', async () => {
    const weak = await selfSignedWith(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      'SHA-256',
    );
    const leaf = await cert({ cn: 'Weakly signed citizen', issuer: weak });
    const result = refusal(await validatePath([der(leaf)], storeOf([weak]), { at: NOW }));
    assert.equal(result.code, 'CERT_SIGNATURE_INVALID');
    assert.match(result.detail, /RSA key of 1024 bits/);
  });

  it('refuses a SHA-1 signature', async () => {
    // WebCrypto signs with the hash bound to the key: a SHA-1 RSA key makes SHA-1 signatures.
    const root = await selfSignedWith(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-1',
      },
      'SHA-1',
    );
    const name = new x509.Name([{ CN: ['SHA-1 citizen'] }]);
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: '02',
      subject: name,
      issuer: root.certificate.subjectName,
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T00:00:00Z'),
      publicKey: root.keys.publicKey,
      signingKey: root.keys.privateKey,
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' },
    });
    const result = refusal(
      await validatePath([new Uint8Array(leaf.rawData)], storeOf([root]), { at: NOW }),
    );
    assert.equal(result.code, 'CERT_SIGNATURE_INVALID');
    assert.match(result.detail, /unsupported signature algorithm 1\.2\.840\.113549\.1\.1\.5/);
  });
});
