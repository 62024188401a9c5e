import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAdminAccess, sameSecret } from '../../src/admin/access.js';
import { readCertificateInput } from '../../src/admin/certificate-input.js';
import { CsrfTokens } from '../../src/admin/csrf.js';
import { adminCertificate, pemOf, sha256Of } from './support.js';

const LISTED = 'a'.repeat(64);
const TOKEN = 'the-admin-token-0123456789-abcdefghij';

describe('who may use the admin surface', () => {
  const settings = { certificateFingerprints: [LISTED], token: TOKEN };

  it('lets in a listed certificate, or the right bearer token', () => {
    assert.deepEqual(checkAdminAccess(settings, { leafSha256: LISTED, authorization: undefined }), {
      ok: true,
      principal: { kind: 'certificate', fingerprint: LISTED },
    });
    assert.deepEqual(
      checkAdminAccess(settings, { leafSha256: undefined, authorization: `Bearer ${TOKEN}` }),
      {
        ok: true,
        principal: { kind: 'token' },
      },
    );
    // A citizen's card does not stop the token holder.
    const both = checkAdminAccess(settings, {
      leafSha256: 'b'.repeat(64),
      authorization: `bearer ${TOKEN}`,
    });
    assert.equal(both.ok, true);
  });

  it('answers 401 to a wrong or missing token and 403 to an unlisted certificate', () => {
    const wrong = checkAdminAccess(settings, {
      leafSha256: undefined,
      authorization: `Bearer ${TOKEN}!`,
    });
    const none = checkAdminAccess(settings, { leafSha256: undefined, authorization: undefined });
    const basic = checkAdminAccess(settings, {
      leafSha256: undefined,
      authorization: 'Basic dXNlcjpwdw==',
    });
    const unlisted = checkAdminAccess(settings, {
      leafSha256: 'b'.repeat(64),
      authorization: undefined,
    });
    assert.deepEqual(
      [wrong, none, basic, unlisted].map((a) => (a.ok ? 200 : a.status)),
      [401, 401, 401, 403],
    );
  });

  it('never accepts a token when none is configured', () => {
    const certificatesOnly = { certificateFingerprints: [LISTED], token: undefined };
    const access = checkAdminAccess(certificatesOnly, {
      leafSha256: undefined,
      authorization: 'Bearer undefined',
    });
    assert.equal(access.ok, false);
  });

  it('compares secrets of any length without throwing', () => {
    assert.equal(sameSecret(TOKEN, TOKEN), true);
    assert.equal(sameSecret('', TOKEN), false);
    assert.equal(sameSecret(`${TOKEN}${TOKEN}`, TOKEN), false);
  });
});

describe('CSRF tokens of the admin form', () => {
  const tokens = new CsrfTokens(Buffer.from('key-of-the-tests-0123456789abcdef'));
  const admin = { kind: 'certificate' as const, fingerprint: LISTED };
  const now = new Date('2026-06-01T10:00:00Z');

  it('accept a fresh token for the same administrator only', () => {
    const token = tokens.issue(admin, now);
    assert.equal(tokens.verify(token, admin, now), true);
    assert.equal(tokens.verify(token, { kind: 'token' }, now), false);
    assert.equal(
      tokens.verify(token, { kind: 'certificate', fingerprint: 'b'.repeat(64) }, now),
      false,
    );
  });

  it('refuse expired, future, tampered and missing tokens', () => {
    const token = tokens.issue(admin, now);
    assert.equal(tokens.verify(token, admin, new Date(now.getTime() + 3601_000)), false);
    assert.equal(tokens.verify(token, admin, new Date(now.getTime() - 60_000)), false);
    const [issuedAt, mac] = token.split('.');
    assert.equal(tokens.verify(`${Number(issuedAt) + 1}.${mac}`, admin, now), false);
    assert.equal(tokens.verify(undefined, admin, now), false);
    assert.equal(tokens.verify('', admin, now), false);
    const otherKey = new CsrfTokens(Buffer.from('another-key-0123456789abcdefghijk'));
    assert.equal(otherKey.verify(token, admin, now), false);
  });
});

describe('reading an uploaded certificate', () => {
  it('reads PEM chains leaf first and single DER certificates', async () => {
    const leaf = await adminCertificate('leaf');
    const other = await adminCertificate('other');
    const pem = readCertificateInput(`some text before\n${pemOf(leaf, other)}`);
    assert.ok(pem.ok);
    assert.equal(pem.chain.length, 2);
    assert.equal(Buffer.from(pem.chain[0]!).equals(Buffer.from(leaf.certificate.rawData)), true);
    const der = readCertificateInput(new Uint8Array(leaf.certificate.rawData));
    assert.ok(der.ok);
    assert.equal(der.chain.length, 1);
    assert.equal(sha256Of(leaf).length, 64);
  });

  it('says clearly what is wrong with anything else', async () => {
    const cases: [Uint8Array | string, RegExp][] = [
      ['', /no certificate was uploaded/],
      ['   \n', /no certificate was uploaded/],
      [new Uint8Array([1, 2, 3]), /the certificate is not a valid X\.509 certificate/],
      [
        '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
        /no "BEGIN CERTIFICATE" block/,
      ],
    ];
    for (const [input, message] of cases) {
      const result = readCertificateInput(input);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.message, message);
    }
    const leaf = await adminCertificate('leaf');
    const broken = pemOf(leaf).replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA');
    const result = readCertificateInput(`${pemOf(leaf)}${broken}`);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.message, /^certificate 2 is not a valid X\.509/);
  });
});
