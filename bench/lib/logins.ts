import { performance } from 'node:perf_hooks';
import * as oidc from 'openid-client';
import { fetch as undiciFetch } from 'undici';
import { BENCH_CLIENT } from '../servers/common.js';
import { BenchHttp, CookieJar, type Answer } from './browser.js';
import type { CitizenCredential } from './citizens.js';

/**
 * One complete login as a browser and a relying party perform it, timed step by step.
 * The relying party is openid-client with non-repudiation checks on, so it verifies the ID
 * token's signature against the IdP's JWKS (fetched once) as well as iss/aud/nonce/exp.
 */
export type StepTimes = Record<string, number>;

export interface LoginTarget {
  issuer: string;
  certificateOrigin?: string;
  http: BenchHttp;
  rp: oidc.Configuration;
  /** `prompt=consent` on every login: both flows show consent every time (like for like). */
  forceConsent: boolean;
}

export async function relyingParty(issuer: string, http: BenchHttp): Promise<oidc.Configuration> {
  const customFetch: oidc.CustomFetch = (url, init) =>
    undiciFetch(url, { ...(init as object), dispatcher: http.agent } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
  const config = await oidc.discovery(
    new URL(issuer),
    BENCH_CLIENT.client_id,
    { redirect_uris: [BENCH_CLIENT.redirect_uri] },
    oidc.ClientSecretBasic(BENCH_CLIENT.client_secret),
    { [oidc.customFetch]: customFetch },
  );
  oidc.enableNonRepudiationChecks(config);
  return config;
}

class Timer {
  readonly steps: StepTimes = {};
  #last = performance.now();
  readonly #start = this.#last;

  lap(step: string): void {
    const now = performance.now();
    this.steps[step] = (this.steps[step] ?? 0) + (now - this.#last);
    this.#last = now;
  }

  total(): number {
    return performance.now() - this.#start;
  }
}

function expect(answer: Answer, status: number, what: string): string {
  if (answer.status !== status || (status === 303 && !answer.location)) {
    throw new Error(`${what}: expected ${status}, got ${answer.status} ${answer.body.slice(0, 200)}`);
  }
  return answer.location ?? '';
}

function isRedirectToRp(location: string | undefined): boolean {
  return location !== undefined && location.startsWith(BENCH_CLIENT.redirect_uri);
}

async function authorize(target: LoginTarget, jar: CookieJar) {
  const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
  const url = oidc.buildAuthorizationUrl(target.rp, {
    redirect_uri: BENCH_CLIENT.redirect_uri,
    scope: 'openid profile',
    state: checks.state,
    nonce: checks.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier),
    code_challenge_method: 'S256',
    ...(target.forceConsent ? { prompt: 'consent' } : {}),
  });
  const interactionUrl = expect(await target.http.send(jar, url.href), 303, 'authorize');
  return { checks, interactionUrl };
}

/** Follows 303s on the issuer until a 200 page (returned) or the redirect to the RP. */
async function followToPageOrRp(target: LoginTarget, jar: CookieJar, url: string): Promise<{ page?: string; rp?: string }> {
  let next = url;
  for (let hop = 0; hop < 6; hop += 1) {
    const answer = await target.http.send(jar, next);
    if (answer.status === 200) return { page: next };
    const location = expect(answer, 303, `GET ${new URL(next).pathname}`);
    if (isRedirectToRp(location)) return { rp: location };
    next = location;
  }
  throw new Error('too many redirects');
}

async function token(target: LoginTarget, redirect: string, checks: { state: string; nonce: string; verifier: string }) {
  const tokens = await oidc.authorizationCodeGrant(target.rp, new URL(redirect), {
    pkceCodeVerifier: checks.verifier,
    expectedState: checks.state,
    expectedNonce: checks.nonce,
    idTokenExpected: true,
  });
  if (!tokens.claims()?.sub) throw new Error('no sub in the ID token');
}

/** The step token the login page's "Continue" form posts to the certificate origin. */
export function stepTokenIn(loginPage: string): string {
  const token = /name="step_token" value="([A-Za-z0-9_-]+)"/.exec(loginPage)?.[1];
  if (!token) throw new Error('the login page carries no step token');
  return token;
}

/** eid-idp: authorize → login page → certificate (new TLS, client cert) → callback → consent → token. */
export async function eidLogin(target: LoginTarget, citizen: CitizenCredential): Promise<{ total: number; steps: StepTimes }> {
  const jar = new CookieJar();
  const timer = new Timer();
  const { checks, interactionUrl } = await authorize(target, jar);
  timer.lap('authorize');
  const loginPage = await target.http.send(jar, interactionUrl);
  expect(loginPage, 200, 'login page');
  timer.lap('login_page');
  const uid = new URL(interactionUrl).pathname.split('/')[2]!;
  const callback = expect(
    await target.http.sendWithCertificate(jar, `${target.certificateOrigin}/interaction/${uid}/certificate`, citizen, {
      method: 'POST',
      body: new URLSearchParams({ step_token: stepTokenIn(loginPage.body) }).toString(),
    }),
    303,
    'certificate route',
  );
  timer.lap('certificate');
  const afterCallback = await followToPageOrRp(target, jar, callback);
  timer.lap('callback');
  let rp = afterCallback.rp;
  if (afterCallback.page) {
    const consent = await target.http.send(jar, `${afterCallback.page}/consent`, { method: 'POST', body: '' });
    rp = isRedirectToRp(consent.location)
      ? consent.location
      : (await followToPageOrRp(target, jar, expect(consent, 303, 'consent'))).rp;
  }
  if (!rp) throw new Error('the login did not end at the relying party');
  timer.lap('consent');
  await token(target, rp, checks);
  timer.lap('token');
  return { total: timer.total(), steps: timer.steps };
}

/** Bare oidc-provider: authorize → dev login form → POST login → consent form → POST consent → token. */
export async function bareLogin(target: LoginTarget, citizen: CitizenCredential): Promise<{ total: number; steps: StepTimes }> {
  const jar = new CookieJar();
  const timer = new Timer();
  const { checks, interactionUrl } = await authorize(target, jar);
  timer.lap('authorize');
  expect(await target.http.send(jar, interactionUrl), 200, 'login page');
  timer.lap('login_page');
  const afterLogin = expect(
    await target.http.send(jar, interactionUrl, { method: 'POST', body: `prompt=login&login=${citizen.dni}` }),
    303,
    'login form',
  );
  timer.lap('login_submit');
  const consentPage = await followToPageOrRp(target, jar, afterLogin);
  timer.lap('callback');
  let rp = consentPage.rp;
  if (consentPage.page) {
    const consent = await target.http.send(jar, consentPage.page, { method: 'POST', body: 'prompt=consent' });
    rp = (await followToPageOrRp(target, jar, expect(consent, 303, 'consent'))).rp;
  }
  if (!rp) throw new Error('the login did not end at the relying party');
  timer.lap('consent');
  await token(target, rp, checks);
  timer.lap('token');
  return { total: timer.total(), steps: timer.steps };
}
