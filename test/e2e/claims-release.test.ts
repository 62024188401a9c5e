import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import type { ClientMetadata } from 'oidc-provider';
import * as oidc from 'openid-client';
import { issue, type Issued } from '../../src/cli/dev-pki.js';
import { MappingRegistry } from '../../src/identity/mapping-registry.js';
import { SubjectDerivation } from '../../src/oidc/subject.js';
import { sha256Of, writeMappingFile } from '../admin/support.js';
import { TestBrowser } from '../support/browser.js';
import {
  PUBLIC_CLIENT_ID,
  startTestIdp,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_REDIRECT_URI,
  type TestIdp,
} from '../support/idp.js';
import {
  beginLogin,
  clientCertificateOf,
  finishLogin,
  presentCertificate,
  relyingParty,
} from '../support/login-flow.js';

/**
 * A relying party asks for each combination of scopes (and the `claims` parameter) and gets
 * exactly the claims allowed, in the ID token and at userinfo; the mapping file's per-client
 * restriction holds; and privacy by default: pairwise `sub`, the account id (never the
 * national identifier) for a public client, national_id and birthdate only with their scope
 * and the person's consent, and a consent page that lists exactly what is shared.
 */

const RESTRICTED_CLIENT_ID = 'restricted-rp';
const RESTRICTED_SECRET = 'restricted-rp-secret-of-at-least-32-chars';
/** The subject key startTestIdp configures: account ids are recomputed with it below. */
const TEST_SUBJECT_KEY = Buffer.from('test-subject-key-0123456789abcdef');

/** Claims about the token rather than the person. */
const TOKEN_CLAIMS = new Set([
  'iss',
  'aud',
  'exp',
  'iat',
  'nonce',
  'auth_time',
  'at_hash',
  'sid',
  'azp',
]);

const CLIENTS: ClientMetadata[] = [
  {
    client_id: TEST_CLIENT_ID,
    client_secret: TEST_CLIENT_SECRET,
    client_name: 'Test RP',
    redirect_uris: [TEST_REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    subject_type: 'pairwise',
  },
  {
    client_id: PUBLIC_CLIENT_ID,
    client_name: 'Test public client',
    redirect_uris: [TEST_REDIRECT_URI],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    subject_type: 'public',
  },
  {
    client_id: RESTRICTED_CLIENT_ID,
    client_secret: RESTRICTED_SECRET,
    client_name: 'Library',
    // Another host: another sector, so another pairwise `sub` for the same person.
    redirect_uris: ['https://library.example.test/callback'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    subject_type: 'pairwise',
  },
];

/** An Estonian-style chain (ESTEID issuer, NCP+ policy, PNOEE code): its code encodes a birthdate. */
async function makeEstonianCard(): Promise<{ root: Issued; issuing: Issued; card: Issued }> {
  const root = await issue({
    subject: [{ C: ['EE'] }, { O: ['eid-idp tests'] }, { CN: ['TEST EE ROOT'] }],
    ca: {},
    keyKind: 'ec-p256',
  });
  const issuing = await issue({
    subject: [{ C: ['EE'] }, { O: ['eid-idp tests'] }, { CN: ['TEST of ESTEID2018'] }],
    issuer: root,
    ca: { pathLength: 0 },
    keyKind: 'ec-p256',
  });
  const card = await issue({
    subject: [
      { C: ['EE'] },
      { CN: ['JÕEORG,JAAK-KRISTJAN,38001085718'] },
      { SN: ['JÕEORG'] },
      { G: ['JAAK-KRISTJAN'] },
      { '2.5.4.5': ['PNOEE-38001085718'] },
    ],
    issuer: issuing,
    keyKind: 'ec-p256',
    keyUsage: x509.KeyUsageFlags.digitalSignature,
    policies: ['1.3.6.1.4.1.51361.1.1.1', '0.4.0.2042.1.2'],
  });
  return { root, issuing, card };
}

interface LoginOutcome {
  idToken: Record<string, unknown>;
  userinfo: Record<string, unknown>;
  consentPage: string | undefined;
}

function personClaims(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !TOKEN_CLAIMS.has(name)));
}

describe('which claims a relying party receives', () => {
  let idp: TestIdp;
  let estonian: Awaited<ReturnType<typeof makeEstonianCard>>;
  let dnie: Issued;
  const configs = new Map<string, oidc.Configuration>();

  before(async () => {
    estonian = await makeEstonianCard();
    const mappingFile = writeMappingFile(
      [
        'version: 1',
        'clients:',
        `  ${RESTRICTED_CLIENT_ID}:`,
        '    claims: [given_name, name]',
        '',
      ].join('\n'),
    );
    idp = await startTestIdp({
      clients: CLIENTS,
      extraAnchors: [estonian.root],
      mapping: new MappingRegistry({ file: mappingFile }),
    });
    dnie = await idp.pki.citizen();
    configs.set(TEST_CLIENT_ID, await relyingParty(idp));
    configs.set(PUBLIC_CLIENT_ID, await relyingParty(idp, { id: PUBLIC_CLIENT_ID }));
    configs.set(
      RESTRICTED_CLIENT_ID,
      await oidcConfigFor(
        idp,
        RESTRICTED_CLIENT_ID,
        RESTRICTED_SECRET,
        'https://library.example.test/callback',
      ),
    );
  });
  after(() => idp.close());

  /** One complete login in a new browser; consent approved when asked. */
  async function login(
    card: Issued,
    chain: Issued[],
    options: { clientId?: string; scope: string; claims?: unknown; redirectUri?: string },
  ): Promise<LoginOutcome> {
    const clientId = options.clientId ?? TEST_CLIENT_ID;
    const config = configs.get(clientId)!;
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const extra: Record<string, string> = {};
    if (options.claims !== undefined) extra.claims = JSON.stringify(options.claims);
    if (clientId === RESTRICTED_CLIENT_ID)
      extra.redirect_uri = 'https://library.example.test/callback';
    const started = await beginLogin(idp, browser, config, options.scope, extra);
    const answer = await presentCertificate(
      idp,
      browser,
      started.uid,
      await clientCertificateOf(card, chain),
    );
    assert.equal(answer.status, 303, answer.body.slice(0, 300));
    const finished = await finishLogin(idp, browser, answer.location!);
    const tokens = await oidc.authorizationCodeGrant(config, finished.redirect, {
      pkceCodeVerifier: started.checks.codeVerifier,
      expectedState: started.checks.state,
      expectedNonce: started.checks.nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims() as Record<string, unknown>;
    const userinfo = (await oidc.fetchUserInfo(
      config,
      tokens.access_token,
      String(idToken.sub),
    )) as Record<string, unknown>;
    await browser.close();
    return { idToken, userinfo, consentPage: finished.consentPage?.body };
  }

  const DNIE_PROFILE = {
    given_name: 'JUAN',
    family_name: 'ESPAÑOL ESPAÑOL',
    name: 'JUAN ESPAÑOL ESPAÑOL',
  };
  const DNIE_ID = { type: 'IDC', country: 'ES', value: '00000000T', raw: '00000000T' };
  const LOGIN = { acr: 'http://eidas.europa.eu/LoA/high', amr: ['hwk', 'sc'] };

  it('publishes every claim and scope in discovery, with the claims parameter', () => {
    const metadata = configs.get(TEST_CLIENT_ID)!.serverMetadata();
    for (const scope of ['openid', 'profile', 'birthdate', 'national_id', 'eid_certificate']) {
      assert.ok(metadata.scopes_supported?.includes(scope), scope);
    }
    for (const claim of [
      'sub',
      'acr',
      'amr',
      'auth_time',
      'name',
      'given_name',
      'family_name',
      'birthdate',
      'national_id',
      'eid_certificate',
    ]) {
      assert.ok(metadata.claims_supported?.includes(claim), claim);
    }
    assert.equal(metadata.claims_parameter_supported, true);
  });

  const combinations: { scope: string; expected: (sha256: string) => Record<string, unknown> }[] = [
    { scope: 'openid', expected: () => ({}) },
    { scope: 'openid profile', expected: () => ({ ...DNIE_PROFILE }) },
    {
      scope: 'openid profile national_id',
      expected: () => ({ ...DNIE_PROFILE, national_id: DNIE_ID }),
    },
    // A DNIe number encodes no birthdate: the scope is granted and releases nothing.
    { scope: 'openid profile birthdate', expected: () => ({ ...DNIE_PROFILE }) },
    {
      scope: 'openid profile eid_certificate',
      expected: (sha256) => ({
        ...DNIE_PROFILE,
        eid_certificate: certificateClaim(sha256, 'es-dnie', 'ES', 'TEST AC DNIE 004'),
      }),
    },
    {
      scope: 'openid profile birthdate national_id eid_certificate',
      expected: (sha256) => ({
        ...DNIE_PROFILE,
        national_id: DNIE_ID,
        eid_certificate: certificateClaim(sha256, 'es-dnie', 'ES', 'TEST AC DNIE 004'),
      }),
    },
  ];

  for (const { scope, expected } of combinations) {
    it(`scope "${scope}": exactly the allowed claims in the ID token and at userinfo`, async () => {
      const outcome = await login(dnie, [], { scope });
      const sha256 = sha256Of(dnie);
      const sub = outcome.idToken.sub;
      assert.deepEqual(personClaims(outcome.idToken), {
        sub,
        ...LOGIN,
        ...normalised(expected(sha256), outcome.idToken),
      });
      assert.deepEqual(outcome.userinfo, {
        sub,
        ...normalised(expected(sha256), outcome.userinfo),
      });
    });
  }

  it('releases birthdate under its scope where the identifier encodes it (Estonian code)', async () => {
    const withScope = await login(estonian.card, [estonian.issuing], {
      clientId: PUBLIC_CLIENT_ID,
      scope: 'openid profile birthdate',
    });
    assert.equal(withScope.idToken.birthdate, '1980-01-08');
    assert.equal(withScope.userinfo.birthdate, '1980-01-08');
    assert.equal(withScope.idToken.given_name, 'JAAK-KRISTJAN');
    assert.equal(withScope.idToken.family_name, 'JÕEORG');
    assert.equal(withScope.idToken.national_id, undefined);

    const withoutScope = await login(estonian.card, [estonian.issuing], {
      clientId: PUBLIC_CLIENT_ID,
      scope: 'openid profile',
      claims: { id_token: { birthdate: { essential: true } }, userinfo: { birthdate: null } },
    });
    assert.equal(withoutScope.idToken.birthdate, undefined, 'never without the birthdate scope');
    assert.equal(withoutScope.userinfo.birthdate, undefined);
  });

  it('honours the claims parameter for ID token and userinfo separately', async () => {
    // A person who never consented to this client: the consent page is shown.
    const newcomer = await idp.pki.citizen({ dni: '11111111H' });
    const outcome = await login(newcomer, [], {
      scope: 'openid',
      claims: { id_token: { given_name: { essential: true } }, userinfo: { family_name: null } },
    });
    assert.deepEqual(personClaims(outcome.idToken), {
      sub: outcome.idToken.sub,
      ...LOGIN,
      given_name: 'JUAN',
    });
    assert.deepEqual(outcome.userinfo, {
      sub: outcome.idToken.sub,
      family_name: 'ESPAÑOL ESPAÑOL',
    });
    // The consent page named what the claims parameter asked for, and nothing more.
    assert.ok(outcome.consentPage);
    assert.deepEqual(consentScopes(outcome.consentPage), ['openid', 'profile']);
  });

  it('never releases national_id through the claims parameter without its scope', async () => {
    const outcome = await login(dnie, [], {
      scope: 'openid profile',
      claims: { id_token: { national_id: { essential: true } }, userinfo: { national_id: null } },
    });
    assert.equal(outcome.idToken.national_id, undefined);
    assert.equal(outcome.userinfo.national_id, undefined);
    assert.equal(outcome.idToken.name, 'JUAN ESPAÑOL ESPAÑOL');

    const withScope = await login(dnie, [], {
      scope: 'openid national_id',
      claims: { id_token: { national_id: { essential: true } } },
    });
    assert.deepEqual(withScope.idToken.national_id, DNIE_ID);
  });

  it('enforces the mapping file: a restricted client gets only its claims, whatever it asks', async () => {
    const outcome = await login(dnie, [], {
      clientId: RESTRICTED_CLIENT_ID,
      scope: 'openid profile birthdate national_id eid_certificate',
      claims: {
        id_token: { family_name: null, national_id: null },
        userinfo: { family_name: null },
      },
    });
    assert.deepEqual(personClaims(outcome.idToken), {
      sub: outcome.idToken.sub,
      ...LOGIN,
      given_name: 'JUAN',
      name: 'JUAN ESPAÑOL ESPAÑOL',
    });
    assert.deepEqual(outcome.userinfo, {
      sub: outcome.idToken.sub,
      given_name: 'JUAN',
      name: 'JUAN ESPAÑOL ESPAÑOL',
    });
    // Its consent page lists only what it may receive.
    assert.ok(outcome.consentPage);
    assert.deepEqual(consentScopes(outcome.consentPage), ['openid', 'profile']);
  });
});

describe('privacy by default', () => {
  let idp: TestIdp;
  let citizen: Issued;

  before(async () => {
    idp = await startTestIdp({ clients: CLIENTS });
    citizen = await idp.pki.citizen({ dni: '87654321X' });
  });
  after(() => idp.close());

  async function loginAs(
    clientId: string,
    scope: string,
    browser = new TestBrowser({ caPem: idp.tlsCaPem }),
  ) {
    const config =
      clientId === RESTRICTED_CLIENT_ID
        ? await oidcConfigFor(
            idp,
            clientId,
            RESTRICTED_SECRET,
            'https://library.example.test/callback',
          )
        : await relyingParty(idp, clientId === PUBLIC_CLIENT_ID ? { id: clientId } : undefined);
    const extra: Record<string, string> =
      clientId === RESTRICTED_CLIENT_ID
        ? { redirect_uri: 'https://library.example.test/callback' }
        : {};
    const started = await beginLogin(idp, browser, config, scope, extra);
    const answer = await presentCertificate(
      idp,
      browser,
      started.uid,
      await clientCertificateOf(citizen),
    );
    return { config, started, answer, browser };
  }

  async function completeLogin(clientId: string, scope: string) {
    const { config, started, answer, browser } = await loginAs(clientId, scope);
    const finished = await finishLogin(idp, browser, answer.location!);
    const tokens = await oidc.authorizationCodeGrant(config, finished.redirect, {
      pkceCodeVerifier: started.checks.codeVerifier,
      expectedState: started.checks.state,
      expectedNonce: started.checks.nonce,
      idTokenExpected: true,
    });
    return {
      claims: tokens.claims() as Record<string, unknown>,
      consentPage: finished.consentPage?.body,
    };
  }

  it('gives a pairwise sub by default: per sector, stable, never the national identifier', async () => {
    const accountId = new SubjectDerivation(TEST_SUBJECT_KEY).accountId({
      country: 'ES',
      value: '87654321X',
    });
    const first = await completeLogin(TEST_CLIENT_ID, 'openid');
    const again = await completeLogin(TEST_CLIENT_ID, 'openid');
    const otherSector = await completeLogin(RESTRICTED_CLIENT_ID, 'openid');
    assert.equal(first.claims.sub, again.claims.sub, 'stable across logins');
    assert.notEqual(first.claims.sub, otherSector.claims.sub, 'distinct per sector');
    for (const sub of [first.claims.sub, otherSector.claims.sub]) {
      assert.notEqual(sub, accountId);
      assert.doesNotMatch(String(sub), /87654321/);
    }
  });

  it('gives a public client the account id as sub, never the raw national identifier', async () => {
    const accountId = new SubjectDerivation(TEST_SUBJECT_KEY).accountId({
      country: 'ES',
      value: '87654321X',
    });
    const { claims } = await completeLogin(PUBLIC_CLIENT_ID, 'openid national_id');
    assert.equal(claims.sub, accountId);
    assert.doesNotMatch(String(claims.sub), /87654321/);
    assert.equal(
      (claims.national_id as { value: string }).value,
      '87654321X',
      'the identifier only as its claim',
    );
  });

  it('asks consent again before releasing national_id, listing exactly what is shared', async () => {
    const first = await completeLogin(TEST_CLIENT_ID, 'openid profile');
    // Consent for openid+profile may have been given by an earlier test of this client.
    if (first.consentPage)
      assert.deepEqual(consentScopes(first.consentPage), ['openid', 'profile']);
    assert.equal(first.claims.national_id, undefined);

    const second = await completeLogin(TEST_CLIENT_ID, 'openid profile national_id');
    assert.ok(second.consentPage, "a new scope needs the person's consent");
    assert.deepEqual(consentScopes(second.consentPage), ['openid', 'profile', 'national_id']);
    assert.match(second.consentPage, /87654321X \(ES\)/);
    assert.match(second.consentPage, /An identifier for you that only Test RP knows/);
    assert.doesNotMatch(second.consentPage, /data-scope="birthdate"|data-scope="eid_certificate"/);
    assert.equal((second.claims.national_id as { value: string }).value, '87654321X');
  });

  it('releases nothing when the person refuses on the consent page', async () => {
    const { started, answer, browser } = await loginAs(
      PUBLIC_CLIENT_ID,
      'openid birthdate eid_certificate',
    );
    const hops = await browser.follow(answer.location!, { stayOn: [idp.issuer] });
    const consentPage = hops.at(-1)!;
    assert.equal(consentPage.status, 200);
    assert.deepEqual(consentScopes(consentPage.body), ['openid', 'eid_certificate']);
    // A public client's `sub` is not private to it, and the page does not pretend it is.
    assert.match(consentPage.body, /the same at every service set up to receive it/);
    assert.doesNotMatch(consentPage.body, /that only Test public client knows/);
    const refused = await browser.follow(`${consentPage.url}/abort`, {
      stayOn: [idp.issuer],
      method: 'POST',
    });
    const redirect = new URL(refused.at(-1)!.location!);
    assert.equal(redirect.searchParams.get('error'), 'access_denied');
    assert.equal(redirect.searchParams.get('code'), null);
    assert.equal(redirect.searchParams.get('state'), started.checks.state);
  });

  it('keeps names and national identifiers out of the log', () => {
    const log = JSON.stringify(idp.logLines());
    for (const personal of ['87654321X', 'ESPAÑOL', 'JUAN']) {
      assert.ok(!log.includes(personal), `${personal} must not be logged`);
    }
  });
});

function consentScopes(page: string): string[] {
  return [...page.matchAll(/<li data-scope="([a-z_]+)"/g)].map((match) => match[1]!);
}

function certificateClaim(sha256: string, profile: string, country: string, issuer: string) {
  return { issuer, sha256, profile, country, validation_level: 'full', environment: 'test' };
}

/** Adds the fields the test cannot know in advance (revocation status) from the actual claim. */
function normalised(
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
): Record<string, unknown> {
  if (!expected.eid_certificate) return expected;
  const claim = actual.eid_certificate as { revocation_status?: unknown } | undefined;
  return {
    ...expected,
    eid_certificate: {
      ...(expected.eid_certificate as object),
      revocation_status: claim?.revocation_status,
    },
  };
}

async function oidcConfigFor(
  idp: TestIdp,
  clientId: string,
  secret: string,
  redirectUri: string,
): Promise<oidc.Configuration> {
  // The redirect URI is sent with each request (beginLogin's extra parameters).
  void redirectUri;
  return relyingParty(idp, { id: clientId, secret });
}
