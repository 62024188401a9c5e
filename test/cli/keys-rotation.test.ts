import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { describeKeys } from '../../src/cli/keys.js';
import { generateJwks, loadSigningKeys } from '../../src/oidc/signing-keys.js';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp } from '../support/idp.js';
import { loginWith, relyingParty } from '../support/login-flow.js';
import { REPO_ROOT } from '../support/paths.js';
import { makeDniePki, type TestPki } from '../support/pki.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real command line, as an operator runs it. */
function keysCommand(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'bin', 'eid-idp.js'), 'keys', ...args],
      { env: { ...process.env, EID_IDP_CONFIG: '' } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

interface Published {
  keys: (JsonWebKey & { kid: string })[];
}

/** Starts an IdP on the file's keys (a restart after each step), logs in, reports what it did. */
async function restartAndLogIn(pki: TestPki, file: string) {
  const idp = await startTestIdp({ pki, settings: { jwks: loadSigningKeys(file, false) } });
  const browser = new TestBrowser({ caPem: idp.tlsCaPem });
  try {
    const config = await relyingParty(idp);
    const { tokens } = await loginWith(idp, browser, config, await pki.citizen());
    const idToken = tokens.id_token!;
    const header = JSON.parse(Buffer.from(idToken.split('.')[0]!, 'base64url').toString()) as {
      kid: string;
      alg: string;
    };
    const jwksResponse = await browser.fetch(`${idp.issuer}/jwks`);
    const published = JSON.parse(jwksResponse.body) as Published;
    return { signedWith: header.kid, alg: header.alg, idToken, published };
  } finally {
    await browser.close();
    await idp.close();
  }
}

/** Verifies an RS256 JWS with a published key, as a relying party would. */
function verifiesWith(jws: string, published: Published): boolean {
  const [header, payload, signature] = jws.split('.') as [string, string, string];
  const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string };
  const jwk = published.keys.find((key) => key.kid === kid);
  if (!jwk) return false;
  return verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signature, 'base64url'),
  );
}

describe('eid-idp keys: rotating the signing keys', () => {
  let dir: string;
  let file: string;
  let pki: TestPki;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'eid-idp-keys-'));
    file = path.join(dir, 'signing-keys.json');
    writeFileSync(file, generateJwks(), { mode: 0o600 });
    pki = await makeDniePki();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes a new key before it signs, keeps the old one until retired, file stays 0600', async () => {
    const keys = describeKeys(loadSigningKeys(file, false));
    const oldKid = keys.find((key) => key.alg === 'RS256')!.kid;

    const added = await keysCommand('add', '--alg', 'RS256', '--file', file);
    assert.equal(added.code, 0, added.stderr);
    const newKid = /Added RS256 key (\S+)/.exec(added.stdout)?.[1];
    assert.ok(newKid, added.stdout);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const listed = await keysCommand('list', '--file', file);
    assert.match(listed.stdout, new RegExp(`${newKid}\\s+RS256\\s+published`));
    assert.match(listed.stdout, new RegExp(`${oldKid}\\s+RS256\\s+signing`));

    // Step 1 rolled out: the new key is published, the old one still signs.
    const afterAdd = await restartAndLogIn(pki, file);
    assert.equal(afterAdd.alg, 'RS256');
    assert.equal(afterAdd.signedWith, oldKid);
    assert.ok(afterAdd.published.keys.some((key) => key.kid === newKid));
    assert.ok(afterAdd.published.keys.every((key) => key.d === undefined));

    const promoted = await keysCommand('promote', newKid, '--file', file);
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.equal(statSync(file).mode & 0o777, 0o600);

    // Step 2 rolled out: the new key signs; tokens signed by the old one still verify.
    const afterPromote = await restartAndLogIn(pki, file);
    assert.equal(afterPromote.signedWith, newKid);
    assert.ok(verifiesWith(afterAdd.idToken, afterPromote.published), 'old tokens still verify');
    assert.ok(verifiesWith(afterPromote.idToken, afterPromote.published));

    const refused = await keysCommand('retire', newKid, '--file', file);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is the RS256 signing key; promote another RS256 key first/);

    const retired = await keysCommand('retire', oldKid, '--file', file);
    assert.equal(retired.code, 0, retired.stderr);

    // Step 3 rolled out: the old key is gone from the JWKS, and its tokens no longer verify.
    const afterRetire = await restartAndLogIn(pki, file);
    assert.equal(afterRetire.signedWith, newKid);
    assert.ok(afterRetire.published.keys.every((key) => key.kid !== oldKid));
    assert.equal(verifiesWith(afterAdd.idToken, afterRetire.published), false);
    const remaining = JSON.parse(readFileSync(file, 'utf8')) as { keys: { alg: string }[] };
    assert.ok(remaining.keys.some((key) => key.alg === 'ES256'), 'the ES256 key was untouched');
  });

  it('names the problem when a kid is unknown or an argument is missing', async () => {
    const unknown = await keysCommand('promote', 'no-such-kid', '--file', file);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no key with kid "no-such-kid"/);
    const badAlg = await keysCommand('add', '--alg', 'HS256', '--file', file);
    assert.equal(badAlg.code, 1);
    assert.match(badAlg.stderr, /--alg must be RS256 or ES256/);
    const missing = await keysCommand('retire', '--file', file);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /retire needs the kid/);
  });
});
