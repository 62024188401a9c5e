import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Issued } from '../../src/cli/dev-pki.js';
import { MappingRegistry } from '../../src/identity/mapping-registry.js';
import { TestBrowser } from '../support/browser.js';
import { PUBLIC_CLIENT_ID, startTestIdp, TEST_CLIENT_ID, type TestIdp } from '../support/idp.js';
import { loginWith, relyingParty } from '../support/login-flow.js';
import {
  ADMIN_TOKEN,
  adminCertificate,
  adminRequest,
  csrfTokenOf,
  pemOf,
  previewForm,
  sha256Of,
  writeMappingFile,
} from './support.js';

/** Claims that describe the token, not the person: left out when comparing with a preview. */
const TOKEN_CLAIMS = [
  'iss',
  'aud',
  'exp',
  'iat',
  'nonce',
  'auth_time',
  'at_hash',
  'c_hash',
  'sid',
  'azp',
];

function personClaims(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(claims).filter(([name]) => !TOKEN_CLAIMS.includes(name)),
  );
}

interface PreviewJson {
  certificate: { sha256: string; subject: string };
  decision: { accepted: boolean; profile?: string; code?: string; checks: unknown[] };
  clients: {
    client_id: string;
    scope: string;
    restricted_to: string[] | null;
    claims: Record<string, unknown>;
  }[];
}

describe('the admin surface is never open by default', () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startTestIdp();
  });
  after(() => idp.close());

  it('answers 404 for the page and the API when no certificate or token is configured', async () => {
    const page = await adminRequest(idp, '/admin', { token: ADMIN_TOKEN });
    const api = await adminRequest(idp, '/admin/api/profiles', { token: ADMIN_TOKEN });
    const preview = await adminRequest(idp, '/admin/api/preview', {
      method: 'POST',
      token: ADMIN_TOKEN,
      headers: { 'content-type': 'application/x-pem-file' },
      body: pemOf(await idp.pki.citizen()),
    });
    assert.equal(page.status, 404);
    assert.equal(api.status, 404);
    assert.equal(preview.status, 404);
    assert.doesNotMatch(api.body, /es-dnie/);
  });
});

describe('the admin page and API', () => {
  let idp: TestIdp;
  let admin: Issued;
  let stranger: Issued;

  before(async () => {
    admin = await adminCertificate();
    stranger = await adminCertificate('someone else');
    const mappingFile = writeMappingFile(
      [
        'version: 1',
        'clients:',
        `  ${TEST_CLIENT_ID}:`,
        '    claims: [given_name, family_name, name]',
        '',
      ].join('\n'),
    );
    idp = await startTestIdp({
      mapping: new MappingRegistry({ file: mappingFile }),
      settings: {
        // Colons and upper case, as openssl prints fingerprints: the schema normalises them,
        // settings built by hand pass them normalised.
        admin: { certificateFingerprints: [sha256Of(admin)], token: ADMIN_TOKEN },
      },
    });
  });
  after(() => idp.close());

  it('refuses a wrong bearer token with 401, on the API and on the page', async () => {
    const api = await adminRequest(idp, '/admin/api/profiles', { token: `${ADMIN_TOKEN}x` });
    const page = await adminRequest(idp, '/admin', { token: 'short' });
    const none = await adminRequest(idp, '/admin/api/mapping');
    assert.equal(api.status, 401);
    assert.equal(JSON.parse(api.body).error, 'UNAUTHORIZED');
    assert.match(String(api.headers['www-authenticate']), /^Bearer/);
    assert.equal(page.status, 401);
    assert.match(page.body, /Administrator sign-in required/);
    assert.equal(none.status, 401);
    const refusals = idp.logLines().filter((line) => line.event === 'admin.refused');
    assert.ok(refusals.length >= 3);
    assert.ok(!JSON.stringify(refusals).includes(ADMIN_TOKEN), 'the token never reaches the log');
  });

  it('lets the token holder see the page and the JSON API', async () => {
    const page = await adminRequest(idp, '/admin', { token: ADMIN_TOKEN });
    assert.equal(page.status, 200);
    assert.match(page.body, /data-profile="es-dnie"/);
    assert.match(page.body, /data-profile="etsi-natural-person"/);
    assert.match(page.body, /claim-mapping\.yaml/);
    assert.match(
      page.body,
      new RegExp(`data-client="${TEST_CLIENT_ID}"><td><code>${TEST_CLIENT_ID}`),
    );
    assert.equal(page.headers['cache-control'], 'no-store');
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /form-action 'self'/);
    for (const [, url] of page.body.matchAll(/(?:src|href|action)="([^"]*)"/g)) {
      assert.ok(url!.startsWith(idp.issuer) || /^[/#]/.test(url!), `no external asset: ${url}`);
    }

    const profiles = await adminRequest(idp, '/admin/api/profiles', { token: ADMIN_TOKEN });
    assert.equal(profiles.status, 200);
    const ids = (JSON.parse(profiles.body).profiles as { id: string; source: string }[]).map(
      (p) => p.id,
    );
    for (const id of [
      'es-dnie',
      'es-fnmt',
      'ee-esteid',
      'be-eid',
      'pt-cc',
      'fi-fineid',
      'lv-eid',
    ]) {
      assert.ok(ids.includes(id), id);
    }
    assert.equal(ids.at(-1), 'etsi-natural-person', 'the generic profile is matched last');

    const mapping = JSON.parse(
      (await adminRequest(idp, '/admin/api/mapping', { token: ADMIN_TOKEN })).body,
    );
    assert.match(mapping.file, /claim-mapping\.yaml$/);
    assert.ok(!Number.isNaN(Date.parse(mapping.loaded_at)));
    assert.deepEqual(mapping.clients, [
      {
        client_id: TEST_CLIENT_ID,
        client_name: 'Test RP',
        claims: ['given_name', 'family_name', 'name'],
      },
      { client_id: PUBLIC_CLIENT_ID, client_name: 'Test public client', claims: null },
    ]);
  });

  it('lets an allowlisted certificate in over a real client-certificate handshake', async () => {
    const page = await adminRequest(idp, '/admin', { certificate: admin });
    assert.equal(page.status, 200);
    assert.match(page.body, /Signed in with an administrator certificate/);
    const api = await adminRequest(idp, '/admin/api/profiles', { certificate: admin });
    assert.equal(api.status, 200);
  });

  it('refuses a certificate that is not on the list with 403, a citizen card included', async () => {
    const page = await adminRequest(idp, '/admin', { certificate: stranger });
    assert.equal(page.status, 403);
    assert.match(page.body, /Not an administrator certificate/);
    const citizen = await idp.pki.citizen();
    const api = await adminRequest(idp, '/admin/api/mapping', { certificate: citizen });
    assert.equal(api.status, 403);
    assert.equal(JSON.parse(api.body).error, 'FORBIDDEN');
  });

  it('previews a DNIe-profile certificate: the decision and exactly what each client receives', async () => {
    const citizen = await idp.pki.citizen({ dni: '12345678Z' });
    const answer = await adminRequest(idp, '/admin/api/preview', {
      method: 'POST',
      token: ADMIN_TOKEN,
      headers: { 'content-type': 'application/pkix-cert' },
      body: new Uint8Array(citizen.certificate.rawData),
    });
    assert.equal(answer.status, 200, answer.body);
    const preview = JSON.parse(answer.body) as PreviewJson;
    assert.equal(preview.decision.accepted, true);
    assert.equal(preview.decision.profile, 'es-dnie');
    assert.equal(preview.certificate.sha256, sha256Of(citizen));

    const byClient = new Map(preview.clients.map((client) => [client.client_id, client]));
    const restricted = byClient.get(TEST_CLIENT_ID)!;
    assert.deepEqual(restricted.restricted_to, ['given_name', 'family_name', 'name']);
    const { sub: pairwiseSub, ...restrictedClaims } = restricted.claims;
    assert.deepEqual(restrictedClaims, {
      given_name: 'JUAN',
      family_name: 'ESPAÑOL ESPAÑOL',
      name: 'JUAN ESPAÑOL ESPAÑOL',
      acr: 'http://eidas.europa.eu/LoA/high',
      amr: ['hwk', 'sc'],
    });

    const open = byClient.get(PUBLIC_CLIENT_ID)!;
    assert.equal(open.restricted_to, null);
    assert.equal(open.scope, 'openid profile birthdate national_id eid_certificate');
    const { sub: publicSub, eid_certificate: certificateClaim, ...openClaims } = open.claims;
    assert.deepEqual(openClaims, {
      given_name: 'JUAN',
      family_name: 'ESPAÑOL ESPAÑOL',
      name: 'JUAN ESPAÑOL ESPAÑOL',
      // No birthdate: a DNIe number does not encode one.
      national_id: { type: 'IDC', country: 'ES', value: '12345678Z', raw: '12345678Z' },
      acr: 'http://eidas.europa.eu/LoA/high',
      amr: ['hwk', 'sc'],
    });
    assert.deepEqual(certificateClaim, {
      issuer: 'TEST AC DNIE 004',
      sha256: sha256Of(citizen),
      profile: 'es-dnie',
      country: 'ES',
      validation_level: 'full',
      revocation_status: (certificateClaim as { revocation_status: string }).revocation_status,
      environment: 'test',
    });
    assert.notEqual(pairwiseSub, publicSub, 'pairwise and public subjects differ');
    for (const sub of [pairwiseSub, publicSub]) assert.doesNotMatch(String(sub), /12345678Z/);

    // The preview and a real login of that certificate agree, claim for claim.
    const config = await relyingParty(idp);
    const login = await loginWith(
      idp,
      new TestBrowser({ caPem: idp.tlsCaPem }),
      config,
      citizen,
      'openid profile national_id eid_certificate',
    );
    assert.deepEqual(personClaims(login.claims as Record<string, unknown>), restricted.claims);
  });

  it('previews through the page form, PEM pasted or DER uploaded, with the CSRF token', async () => {
    const citizen = await idp.pki.citizen();
    const page = await adminRequest(idp, '/admin', { certificate: admin });
    const csrf = csrfTokenOf(page.body);

    const pasted = await adminRequest(idp, '/admin/preview', {
      method: 'POST',
      certificate: admin,
      body: previewForm({ csrf, pem: pemOf(citizen, idp.pki.issuing), scope: 'openid profile' }),
    });
    assert.equal(pasted.status, 200, pasted.body.slice(0, 500));
    assert.match(pasted.body, /id="preview-result" data-accepted="true"/);
    assert.match(pasted.body, /Accepted, card profile es-dnie/);
    assert.match(pasted.body, new RegExp(`data-client="${PUBLIC_CLIENT_ID}">`));
    assert.match(pasted.body, /&quot;name&quot;: &quot;JUAN ESPAÑOL ESPAÑOL&quot;/);
    assert.doesNotMatch(
      pasted.body,
      /national_id&quot;/,
      'the chosen scope leaves national_id out',
    );

    const uploaded = await adminRequest(idp, '/admin/preview', {
      method: 'POST',
      certificate: admin,
      body: previewForm({ csrf, der: new Uint8Array(citizen.certificate.rawData) }),
    });
    assert.equal(uploaded.status, 200);
    assert.match(uploaded.body, /national_id&quot;/);
    assert.ok(
      !idp.logLines().some((line) => JSON.stringify(line).includes('ESPAÑOL')),
      'no previewed name reaches the log',
    );
  });

  it('refuses the form without its CSRF token or from another origin', async () => {
    const citizen = await idp.pki.citizen();
    const page = await adminRequest(idp, '/admin', { certificate: admin });
    const csrf = csrfTokenOf(page.body);

    const noToken = await adminRequest(idp, '/admin/preview', {
      method: 'POST',
      certificate: admin,
      body: previewForm({ pem: pemOf(citizen) }),
    });
    assert.equal(noToken.status, 403);
    assert.doesNotMatch(noToken.body, /id="preview-result"/);

    const otherOrigin = await adminRequest(idp, '/admin/preview', {
      method: 'POST',
      certificate: admin,
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: previewForm({ csrf, pem: pemOf(citizen) }),
    });
    assert.equal(otherOrigin.status, 403);

    // A token rendered for the token holder does not work for the certificate holder.
    const tokenPage = await adminRequest(idp, '/admin', { token: ADMIN_TOKEN });
    const swapped = await adminRequest(idp, '/admin/preview', {
      method: 'POST',
      certificate: admin,
      body: previewForm({ csrf: csrfTokenOf(tokenPage.body), pem: pemOf(citizen) }),
    });
    assert.equal(swapped.status, 403);

    const plainText = await adminRequest(idp, '/admin/api/preview', {
      method: 'POST',
      certificate: admin,
      headers: { 'content-type': 'text/plain' },
      body: pemOf(citizen),
    });
    assert.equal(plainText.status, 415, 'a type a cross-site form can send is refused');
  });

  it('answers a malformed certificate with a clear error, on the API and on the page', async () => {
    const garbage = await adminRequest(idp, '/admin/api/preview', {
      method: 'POST',
      token: ADMIN_TOKEN,
      headers: { 'content-type': 'application/pkix-cert' },
      body: new Uint8Array([0x30, 0x82, 0x01, 0x00, 0x01, 0x02, 0x03]),
    });
    assert.equal(garbage.status, 400);
    const error = JSON.parse(garbage.body);
    assert.equal(error.error, 'CERT_MALFORMED');
    assert.match(error.message, /the certificate is not a valid X\.509 certificate \(PEM or DER\)/);

    const noBlock = await adminRequest(idp, '/admin/api/preview', {
      method: 'POST',
      token: ADMIN_TOKEN,
      headers: { 'content-type': 'application/x-pem-file' },
      body: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
    });
    assert.equal(noBlock.status, 400);
    assert.match(JSON.parse(noBlock.body).message, /no "BEGIN CERTIFICATE" block/);

    const page = await adminRequest(idp, '/admin', { certificate: admin });
    const form = await adminRequest(idp, '/admin/preview', {
      method: 'POST',
      certificate: admin,
      body: previewForm({ csrf: csrfTokenOf(page.body), pem: 'not a certificate at all' }),
    });
    assert.equal(form.status, 400);
    assert.match(form.body, /id="preview-error"/);
    assert.match(form.body, /CERT_MALFORMED/);
  });

  it('shows a refused certificate with its stable code and no claims', async () => {
    const outsider = await adminCertificate('not a card');
    const answer = await adminRequest(idp, '/admin/api/preview', {
      method: 'POST',
      token: ADMIN_TOKEN,
      headers: { 'content-type': 'application/x-pem-file' },
      body: pemOf(outsider),
    });
    assert.equal(answer.status, 200);
    const preview = JSON.parse(answer.body) as PreviewJson;
    assert.equal(preview.decision.accepted, false);
    assert.equal(preview.decision.code, 'CHAIN_UNTRUSTED');
    assert.deepEqual(preview.clients, []);
  });
});
