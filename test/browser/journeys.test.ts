import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import type { Issued } from '../../src/cli/dev-pki.js';
import {
  installAutoSelectPolicy,
  commonName,
  removeAutoSelectPolicy,
  saveScreenshot,
} from '../support/chromium.js';
import { dnieSubject, makeDniePki } from '../support/pki.js';
import {
  errorCode,
  finishAtRelyingParty,
  openBrowser,
  presentCard,
  startAtRelyingParty,
  startJourneyIdp,
  type CitizenBrowser,
  type JourneyIdp,
} from './journey.js';

const DAY_MS = 24 * 3600 * 1000;

/** A second citizen, with another name and DNI (valid check letter), accents included. */
function mariaSubject(): x509.JsonName {
  return [
    { C: ['ES'] },
    { '2.5.4.5': ['12345678Z'] },
    { SN: ['GARCÍA NÚÑEZ'] },
    { G: ['MARÍA JOSÉ'] },
    { CN: ['GARCÍA NÚÑEZ, MARÍA JOSÉ (AUTENTICACIÓN)'] },
  ];
}

/**
 * Every journey a citizen can take with a software card in headless Chromium, each in a
 * fresh browser profile (its own NSS database), through the demo relying party.
 */
describe('citizen journeys in Chromium', () => {
  let journey: JourneyIdp;
  let open: CitizenBrowser | undefined;
  let chain: Issued[];

  before(async () => {
    journey = await startJourneyIdp();
    chain = [journey.idp.pki.issuing];
    // The stranger's PKI below uses the same CA names, so one rule picks any test card.
    installAutoSelectPolicy([
      { origin: journey.idp.certificateOrigin, issuerCn: commonName(journey.idp.pki.issuing) },
    ]);
  });

  after(async () => {
    removeAutoSelectPolicy();
    await open?.close();
    await journey?.close();
  });

  async function browserWith(certificate: Issued | undefined, cardChain = chain): Promise<CitizenBrowser> {
    await open?.close();
    open = await openBrowser(
      journey,
      certificate ? [{ certificate, chain: cardChain, name: 'citizen card' }] : [],
    );
    return open;
  }

  it('asks for consent once and remembers it; after logout another card signs in in a fresh profile', async () => {
    const juan = await journey.idp.pki.citizen();
    const first = await browserWith(juan);
    await startAtRelyingParty(first.page, journey);
    await presentCard(first.page);
    assert.equal(await first.page.locator('#allow').count(), 1, 'the first sign-in asks for consent');
    assert.equal(await finishAtRelyingParty(first.page, journey), 'JUAN ESPAÑOL ESPAÑOL');

    // The same person another day, in another browser: the card again, but no consent page.
    const again = await browserWith(juan);
    await startAtRelyingParty(again.page, journey);
    await again.page.click('#continue');
    await again.page.waitForURL(`${journey.rp.url}/`, { timeout: 45_000 });
    assert.equal(await again.page.locator('#name').innerText(), 'JUAN ESPAÑOL ESPAÑOL');

    // Sign out at the relying party, which sends the browser to the IdP's logout page.
    await again.page.click('#logout');
    await again.page.waitForSelector('#logout-yes');
    await saveScreenshot(again.page, 'logout-en');
    await again.page.click('#logout-yes');
    await again.page.waitForURL(`${journey.rp.url}/`);
    assert.equal(await again.page.locator('#sign-in').count(), 1, 'signed out at the relying party');

    // Another person, another card, a fresh browser profile: asked for her own consent.
    const maria = await journey.idp.pki.citizen({ subject: mariaSubject() });
    const second = await browserWith(maria);
    await startAtRelyingParty(second.page, journey);
    await presentCard(second.page);
    assert.equal(await second.page.locator('#allow').count(), 1, 'consent is per person');
    assert.match(await second.page.locator('main').innerText(), /MARÍA JOSÉ GARCÍA NÚÑEZ/);
    assert.equal(await finishAtRelyingParty(second.page, journey), 'MARÍA JOSÉ GARCÍA NÚÑEZ');
  });

  it('with no certificate in the browser, explains what to check and how to choose again', async () => {
    const { page } = await browserWith(undefined);
    await startAtRelyingParty(page, journey);
    await presentCard(page);
    assert.equal(await errorCode(page), 'CERT_MISSING');
    assert.match(await page.locator('#error-title').innerText(), /No certificate was received/);
    assert.match(await page.locator('#choose-again').innerText(), /close every window/);
    await saveScreenshot(page, 'error-cert-missing-en');
  });

  it('refuses a card whose issuer is not trusted', async () => {
    // Same CA names as the trusted PKI, other keys: the browser offers it, the IdP refuses.
    const stranger = await makeDniePki();
    const { page } = await browserWith(await stranger.citizen(), [stranger.issuing]);
    await startAtRelyingParty(page, journey);
    await presentCard(page);
    assert.equal(await errorCode(page), 'CHAIN_UNTRUSTED');
    assert.match(await page.locator('#error-title').innerText(), /not accepted here/);
  });

  it('with only an expired certificate, says that browsers do not offer expired ones', async () => {
    // Chromium leaves expired (and not yet valid) certificates out of the choice, so the
    // IdP receives no certificate at all: the citizen must read about expiry on the
    // "no certificate" page. (The IdP's own CERT_EXPIRED page, for browsers that do send
    // one, is proved in test/e2e/refusals.test.ts with a TLS client.)
    const expired = await journey.idp.pki.citizen({
      notBefore: new Date(Date.now() - 800 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
    });
    const { page } = await browserWith(expired);
    await startAtRelyingParty(page, journey);
    await presentCard(page);
    assert.equal(await errorCode(page), 'CERT_MISSING');
    assert.match(await page.locator('#error-body').innerText(), /do not offer a certificate that has expired/);
  });

  it('refuses the signature certificate and names the authentication one', async () => {
    const signature = await journey.idp.pki.citizen({
      subject: dnieSubject('00000000T', 'FIRMA'),
      keyUsage: x509.KeyUsageFlags.nonRepudiation | x509.KeyUsageFlags.digitalSignature,
      policies: ['2.16.724.1.2.2.2.3'],
    });
    const { page } = await browserWith(signature);
    await startAtRelyingParty(page, journey);
    await presentCard(page);
    assert.equal(await errorCode(page), 'CERT_SIGNATURE_ONLY');
    assert.match(await page.locator('#error-body').innerText(), /AUTENTICACIÓN/);
    assert.equal(await page.locator('#choose-again').count(), 1);
  });
});

describe('the sign-in expires while the citizen looks for the card', () => {
  let journey: JourneyIdp;
  let open: CitizenBrowser | undefined;

  before(async () => {
    journey = await startJourneyIdp({ interactionTtlSeconds: 2 });
    installAutoSelectPolicy([
      { origin: journey.idp.certificateOrigin, issuerCn: commonName(journey.idp.pki.issuing) },
    ]);
  });

  after(async () => {
    removeAutoSelectPolicy();
    await open?.close();
    await journey?.close();
  });

  it('ends on a page that says the time ran out and to start again', async () => {
    const juan = await journey.idp.pki.citizen();
    open = await openBrowser(journey, [{ certificate: juan, chain: [journey.idp.pki.issuing], name: 'card' }]);
    const { page } = open;
    await startAtRelyingParty(page, journey);
    // Longer than the interaction lives (2 s): the card is somewhere in a drawer.
    await sleep(4_000);
    await presentCard(page);
    assert.equal(await errorCode(page), 'INTERACTION_NOT_FOUND', `at ${page.url()}`);
    assert.match(await page.locator('#error-title').innerText(), /has expired/);
    assert.match(await page.locator('#error-body').innerText(), /start again/);
    assert.equal(await page.locator('#name').count(), 0, 'not signed in');
  });
});
