import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { certificatePem, privateKeyPem, type Issued } from '../../src/cli/dev-pki.js';
import type { ClientCertificate, Response, TestBrowser } from './browser.js';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_REDIRECT_URI, type TestIdp } from './idp.js';

/**
 * What the login helpers need of an IdP: its public URLs and the CA its TLS certificate
 * chains to. A TestIdp has them; so does a pair of IdP processes behind a balancer.
 */
export type IdpEndpoints = Pick<TestIdp, 'issuer' | 'certificateOrigin' | 'tlsCaPem'>;

/** openid-client configured as a relying party of the test IdP (real discovery over TLS). */
export async function relyingParty(
  idp: IdpEndpoints,
  client: { id: string; secret?: string } = { id: TEST_CLIENT_ID, secret: TEST_CLIENT_SECRET },
): Promise<oidc.Configuration> {
  const dispatcher = new Agent({ connect: { ca: idp.tlsCaPem } });
  const fetchTrustingTestCa: oidc.CustomFetch = (url, init) =>
    undiciFetch(url, { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1]) as
      unknown as Promise<globalThis.Response>;
  return oidc.discovery(
    new URL(idp.issuer),
    client.id,
    { redirect_uris: [TEST_REDIRECT_URI] },
    client.secret ? oidc.ClientSecretBasic(client.secret) : oidc.None(),
    { [oidc.customFetch]: fetchTrustingTestCa },
  );
}

export interface StartedLogin {
  uid: string;
  loginPage: Response;
  checks: { state: string; nonce: string; codeVerifier: string };
}

/** The relying party sends the browser to /auth; the IdP answers with its login page. */
export async function beginLogin(
  idp: IdpEndpoints,
  browser: TestBrowser,
  config: oidc.Configuration,
  scope = 'openid profile national_id eid_certificate',
  extra: Record<string, string> = {},
): Promise<StartedLogin> {
  const checks = {
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    codeVerifier: oidc.randomPKCECodeVerifier(),
  };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: TEST_REDIRECT_URI,
    scope,
    state: checks.state,
    nonce: checks.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  const hops = await browser.follow(url.href, { stayOn: [idp.issuer] });
  const loginPage = hops.at(-1)!;
  assert.equal(loginPage.status, 200, `expected the login page, got ${loginPage.status}`);
  const uid = new URL(loginPage.url).pathname.split('/')[2]!;
  return { uid, loginPage, checks };
}

export async function clientCertificateOf(issued: Issued, chain: Issued[] = []): Promise<ClientCertificate> {
  return {
    cert: [issued, ...chain].map((item) => certificatePem(item)).join(''),
    key: await privateKeyPem(issued.keys),
  };
}

/** The step token a login page carries in its "Continue" form; undefined on other pages. */
export function stepTokenOf(page: Pick<Response, 'body'> | string): string | undefined {
  const html = typeof page === 'string' ? page : page.body;
  return /name="step_token" value="([A-Za-z0-9_-]+)"/.exec(html)?.[1];
}

/** The urlencoded body the "Continue" form posts; empty without a token. */
export function stepForm(stepToken: string | undefined): string {
  return stepToken === undefined ? '' : new URLSearchParams({ step_token: stepToken }).toString();
}

/** The request options of the "Continue" form of a login page already shown. */
export function continueForm(started: Pick<StartedLogin, 'loginPage'>): { method: 'POST'; body: string } {
  return { method: 'POST', body: stepForm(stepTokenOf(started.loginPage)) };
}

/** The "Continue" form's POST as raw HTTP/1.1, for tests that speak TLS themselves. */
export function stepRequestText(host: string, uid: string, stepToken: string | undefined): string {
  const body = stepForm(stepToken);
  return (
    `POST /interaction/${uid}/certificate HTTP/1.1\r\nHost: ${host}\r\n` +
    `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/**
 * The "Continue" button: a form POST on a new TLS connection to the certificate origin with
 * the card. As a browser does, the step token comes from the login page this browser is
 * shown (its interaction cookie decides which); `stepToken` overrides it, for attacks.
 */
export async function presentCertificate(
  idp: IdpEndpoints,
  browser: TestBrowser,
  uid: string,
  clientCertificate: ClientCertificate | null,
  options: { stepToken?: string } = {},
): Promise<Response> {
  const stepToken =
    'stepToken' in options
      ? options.stepToken
      : stepTokenOf(await browser.fetch(`${idp.issuer}/interaction/${uid}`));
  return browser.fetch(`${idp.certificateOrigin}/interaction/${uid}/certificate`, {
    method: 'POST',
    body: stepForm(stepToken),
    clientCertificate,
  });
}

/**
 * From the certificate origin's redirect to the relying party's redirect URI: callback,
 * consent page (approved when shown), and back. Returns the final redirect to the RP.
 */
export async function finishLogin(
  idp: IdpEndpoints,
  browser: TestBrowser,
  callbackUrl: string,
): Promise<{ hops: Response[]; consentPage: Response | undefined; redirect: URL }> {
  const hops = await browser.follow(callbackUrl, { stayOn: [idp.issuer] });
  let last = hops.at(-1)!;
  let consentPage: Response | undefined;
  if (last.status === 200 && /\/interaction\/[^/]+$/.test(new URL(last.url).pathname)) {
    consentPage = last;
    const more = await browser.follow(`${last.url}/consent`, {
      stayOn: [idp.issuer],
      method: 'POST',
    });
    hops.push(...more);
    last = hops.at(-1)!;
  }
  assert.ok(last.location, `expected a redirect to the relying party, got ${last.status}: ${last.body.slice(0, 300)}`);
  return { hops, consentPage, redirect: new URL(last.location) };
}

/** The whole journey for one citizen certificate, ending with verified tokens. */
export async function loginWith(
  idp: IdpEndpoints,
  browser: TestBrowser,
  config: oidc.Configuration,
  citizen: Issued,
  scope?: string,
) {
  const started = await beginLogin(idp, browser, config, scope);
  const answer = await presentCertificate(idp, browser, started.uid, await clientCertificateOf(citizen));
  assert.equal(answer.status, 303, `certificate origin answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  const finished = await finishLogin(idp, browser, answer.location!);
  const tokens = await oidc.authorizationCodeGrant(config, finished.redirect, {
    pkceCodeVerifier: started.checks.codeVerifier,
    expectedState: started.checks.state,
    expectedNonce: started.checks.nonce,
    idTokenExpected: true,
  });
  return { started, finished, tokens, claims: tokens.claims()! };
}
