import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import type { Issued } from '../../src/cli/dev-pki.js';
import { startRelyingParty, type RunningRelyingParty } from '../../examples/demo-rp/relying-party.js';
import {
  createProfile,
  freePort,
  importCitizen,
  launchChromium,
  removeProfile,
  trustServerCa,
  type BrowserProfile,
  type LaunchOptions,
} from '../support/chromium.js';
import { startTestIdp, type TestIdp, type TestIdpOptions } from '../support/idp.js';

/**
 * A test IdP (in process, port 0) with the demo relying party registered and running, for
 * journeys that need certificates other than the demo one: each journey makes its cards
 * with test/support/pki.ts and gives each browser its own profile.
 */
export const JOURNEY_CLIENT_ID = 'browser-rp';
const JOURNEY_CLIENT_SECRET = 'browser-rp-secret-of-at-least-thirty-two-chars';
export const RP_SCOPE = 'openid profile national_id eid_certificate';

export interface JourneyIdp {
  idp: TestIdp;
  rp: RunningRelyingParty;
  close(): Promise<void>;
}

export async function startJourneyIdp(options: TestIdpOptions = {}): Promise<JourneyIdp> {
  const rpPort = await freePort();
  const rpUrl = `http://localhost:${rpPort}`;
  const idp = await startTestIdp({
    ...options,
    clients: [
      {
        client_id: JOURNEY_CLIENT_ID,
        client_secret: JOURNEY_CLIENT_SECRET,
        client_name: 'Demo relying party',
        redirect_uris: [`${rpUrl}/callback`],
        post_logout_redirect_uris: [`${rpUrl}/`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        subject_type: 'pairwise',
      },
    ],
  });
  const rp = await startRelyingParty({
    issuer: idp.issuer,
    clientId: JOURNEY_CLIENT_ID,
    clientSecret: JOURNEY_CLIENT_SECRET,
    baseUrl: rpUrl,
    port: rpPort,
    idpCaPem: idp.tlsCaPem,
    scope: RP_SCOPE,
  });
  return {
    idp,
    rp,
    close: async () => {
      await rp.close();
      await idp.close();
    },
  };
}

/** A fresh browser: new profile, the IdP's TLS CA trusted, the given cards imported. */
export interface CitizenBrowser {
  profile: BrowserProfile;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function openBrowser(
  journey: JourneyIdp,
  cards: { certificate: Issued; chain: Issued[]; name: string }[],
  options: LaunchOptions = {},
): Promise<CitizenBrowser> {
  const profile = createProfile();
  trustServerCa(profile, journey.idp.tlsCaPem, 'eid-idp-test-tls');
  for (const card of cards) await importCitizen(profile, card.certificate, card.chain, card.name);
  const context = await launchChromium(profile, options);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    profile,
    context,
    page,
    close: async () => {
      await context.close();
      removeProfile(profile);
    },
  };
}

/** From the relying party's home page to the IdP's login page. */
export async function startAtRelyingParty(page: Page, journey: JourneyIdp): Promise<void> {
  await page.goto(journey.rp.url);
  await page.click('#sign-in');
  await page.waitForURL(/\/interaction\/[^/?]+(\?.*)?$/);
  assert.ok(page.url().startsWith(journey.idp.issuer), `on the IdP login page, not ${page.url()}`);
}

/** Clicks "Continue with my card" and waits for the page that follows the handshake. */
export async function presentCard(page: Page): Promise<void> {
  await page.click('#continue');
  await page.waitForSelector('#allow, #error-title, #name, #refused', { timeout: 45_000 });
}

/** The error page's stable code, or undefined when the page is not an error page. */
export async function errorCode(page: Page): Promise<string | undefined> {
  const title = page.locator('#error-title');
  if ((await title.count()) === 0) return undefined;
  return (await title.getAttribute('data-code')) ?? undefined;
}

/** Consents if asked and waits for the relying party's signed-in page; returns the name. */
export async function finishAtRelyingParty(page: Page, journey: JourneyIdp): Promise<string> {
  if ((await page.locator('#allow').count()) > 0) await page.click('#allow');
  await page.waitForURL(`${journey.rp.url}/`, { timeout: 30_000 });
  return page.locator('#name').innerText();
}
