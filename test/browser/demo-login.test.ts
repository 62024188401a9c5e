import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import {
  createProfile,
  importPkcs12,
  installAutoSelectPolicy,
  launchChromium,
  removeAutoSelectPolicy,
  removeProfile,
  saveScreenshot,
  trustServerCa,
  type BrowserProfile,
} from '../support/chromium.js';
import { startDemoIdp, type DemoIdp } from './demo-idp.js';

/**
 * The first thing a person does with eid-idp: `npm start`, import the printed demo .p12
 * into the browser, open the demo relying party and sign in. Headless Chromium, the demo
 * citizen certificate in the profile's NSS database, chosen by the managed policy.
 */
describe('signing in through the demo relying party in Chromium', () => {
  let demo: DemoIdp;
  let profile: BrowserProfile;
  let browser: BrowserContext | undefined;

  before(async () => {
    demo = await startDemoIdp();
    profile = createProfile();
    trustServerCa(profile, demo.developmentCaPem, 'eid-idp-development-tls');
    importPkcs12(profile, demo.citizenP12, demo.citizenPassword);
    installAutoSelectPolicy([{ origin: demo.certificateOrigin, issuerCn: 'eid-idp DEMO AC DNIE 001' }]);
    browser = await launchChromium(profile);
  });

  after(async () => {
    removeAutoSelectPolicy();
    await browser?.close();
    await demo?.stop();
    removeProfile(profile);
  });

  it('ends on the relying party page showing the signed-in name, accents included', async () => {
    const page = await browser!.newPage();
    await page.goto(demo.relyingPartyUrl);
    await page.click('#sign-in');

    await page.waitForURL(/\/interaction\/[^/]+$/);
    assert.ok(page.url().startsWith(demo.issuer), 'the IdP login page is on the OIDC origin');
    await saveScreenshot(page, 'demo-login-en');
    await page.click('#continue');

    // The certificate origin asks for the certificate; the policy answers; the consent page
    // of the OIDC origin follows.
    await page.waitForSelector('#allow', { timeout: 30_000 });
    assert.ok(page.url().startsWith(demo.issuer));
    await saveScreenshot(page, 'demo-consent-en');
    assert.match(await page.locator('main').innerText(), /JUAN ESPAÑOL ESPAÑOL/);
    await page.click('#allow');

    await page.waitForURL(`${demo.relyingPartyUrl}/`, { timeout: 30_000 });
    assert.equal(await page.locator('#name').innerText(), 'JUAN ESPAÑOL ESPAÑOL');
    await saveScreenshot(page, 'demo-rp-signed-in');
  });
});
