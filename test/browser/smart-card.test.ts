import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import type { Issued } from '../../src/cli/dev-pki.js';
import {
  commonName,
  createProfile,
  installAutoSelectPolicy,
  launchChromium,
  privateKeyOperations,
  removeAutoSelectPolicy,
  removeProfile,
  trustServerCa,
  type BrowserProfile,
} from '../support/chromium.js';
import { makeDniePki, makeEstonianPki, type TestPki } from '../support/pki.js';
import {
  answerPinDialogs,
  insertCard,
  makeCard,
  requireSmartCardTools,
  startXvfb,
  type SimulatedCard,
  type VirtualDisplay,
} from '../support/softhsm.js';
import { finishAtRelyingParty, startAtRelyingParty, startJourneyIdp, type JourneyIdp } from './journey.js';

const PIN = '4711';

function parsed(issued: Issued): ParsedCertificate {
  return ParsedCertificate.fromDer(new Uint8Array(issued.certificate.rawData));
}

/** Trusts both card PKIs: the DNIe-like one under its profile, the Estonian-like by match. */
function trustBoth(dnie: TestPki, estonian: TestPki): TrustStore {
  return TrustStore.fromCertificates({
    anchors: [
      { certificate: parsed(dnie.root), profile: 'es-dnie', environment: 'test' },
      { certificate: parsed(estonian.root), environment: 'test' },
    ],
    intermediates: [parsed(dnie.issuing), parsed(estonian.issuing)],
  });
}

/**
 * The key on a (simulated) smart card: a SoftHSM token registered in the browser's NSS
 * database, Chromium headed under our own Xvfb, the PIN typed into Chromium's "Unlock"
 * dialog with xdotool. The DNIe-like card cannot sign RSA-PSS, which is why the
 * certificate origin must stay at TLS 1.2.
 */
describe('signing in with the key on a smart card (SoftHSM, PIN dialog)', () => {
  let display: VirtualDisplay;
  let dnie: TestPki;
  let estonian: TestPki;
  let tls12: JourneyIdp;
  let tls13: JourneyIdp;
  const cleanups: (() => Promise<void> | void)[] = [];
  const openContexts: BrowserContext[] = [];

  before(async () => {
    requireSmartCardTools();
    display = await startXvfb();
    dnie = await makeDniePki();
    estonian = await makeEstonianPki();
    const trustStore = trustBoth(dnie, estonian);
    tls12 = await startJourneyIdp({ pki: dnie, settings: { trustStore } });
    // What someone "hardening" the certificate origin would configure.
    tls13 = await startJourneyIdp({
      pki: dnie,
      settings: { trustStore },
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
    });
    installAutoSelectPolicy([
      { origin: tls12.idp.certificateOrigin, issuerCn: commonName(dnie.issuing) },
      { origin: tls12.idp.certificateOrigin, issuerCn: commonName(estonian.issuing) },
      { origin: tls13.idp.certificateOrigin, issuerCn: commonName(dnie.issuing) },
    ]);
  });

  after(async () => {
    removeAutoSelectPolicy();
    for (const open of openContexts.splice(0)) await open.close();
    for (const cleanup of cleanups.reverse()) await cleanup();
    await tls12?.close();
    await tls13?.close();
    await display?.stop();
  });

  /** A fresh profile with the card "inserted", and headed Chromium on our display. */
  async function browserWithCard(
    journey: JourneyIdp,
    card: SimulatedCard,
    chain: Issued[],
    netLogFile?: string,
  ): Promise<{ page: Page; context: BrowserContext; profile: BrowserProfile }> {
    const profile = createProfile();
    cleanups.push(() => removeProfile(profile));
    trustServerCa(profile, journey.idp.tlsCaPem, 'eid-idp-test-tls');
    insertCard(profile, card, chain);
    // One browser on the display at a time: the previous test's windows are gone.
    for (const open of openContexts.splice(0)) await open.close();
    const context = await launchChromium(profile, {
      display: display.display,
      env: card.env,
      ...(netLogFile ? { netLogFile } : {}),
    });
    openContexts.push(context);
    const page = context.pages()[0] ?? (await context.newPage());
    return { page, context, profile };
  }

  /** The protocol of the certificate origin's answer, as the browser saw it. */
  function watchCertificateStep(page: Page, journey: JourneyIdp): () => Promise<string | undefined> {
    let protocol: Promise<string | undefined> = Promise.resolve(undefined);
    page.on('response', (response) => {
      if (response.url().startsWith(`${journey.idp.certificateOrigin}/interaction/`)) {
        protocol = response.securityDetails().then((details) => details?.protocol);
      }
    });
    return () => protocol;
  }

  async function signInWithCard(
    journey: JourneyIdp,
    card: SimulatedCard,
    chain: Issued[],
  ): Promise<{ name: string; pinDialogs: number; protocol: string | undefined; signedWith: string[] }> {
    const netLogFile = path.join(card.dir, 'netlog.json');
    const { page, context } = await browserWithCard(journey, card, chain, netLogFile);
    const protocolSeen = watchCertificateStep(page, journey);
    await startAtRelyingParty(page, journey);
    const flow = (async () => {
      await page.click('#continue');
      await page.waitForSelector('#allow, #error-title', { timeout: 60_000 });
      assert.equal(await page.locator('#error-title').count(), 0, await page.locator('main').innerText());
      return finishAtRelyingParty(page, journey);
    })();
    const pinDialogs = answerPinDialogs(display.display, card.pin, flow);
    const name = await flow;
    const result = { name, pinDialogs: await pinDialogs, protocol: await protocolSeen() };
    await context.close(); // the NetLog is complete once the browser has closed
    return { ...result, signedWith: privateKeyOperations(netLogFile) };
  }

  it('an Estonian-like ECDSA P-384 card signs in after its PIN is typed', async () => {
    const card = await makeCard({ label: 'esteid', pin: PIN, citizen: await estonian.citizen() });
    cleanups.push(() => card.remove());
    const result = await signInWithCard(tls12, card, [estonian.issuing, estonian.root]);
    assert.equal(result.name, 'JAAK-KRISTJAN JÕEORG');
    assert.ok(result.pinDialogs >= 1, 'the PIN was asked for and typed');
    // TLS 1.2 names ECDSA schemes by hash only ("ecdsa_sha256"): the key's curve is free.
    assert.ok(result.signedWith.length > 0, 'the card signed the handshake');
    assert.ok(result.signedWith.every((scheme) => scheme.startsWith('ecdsa_')), result.signedWith.join());
  });

  it('a DNIe-like card that signs only PKCS#1 v1.5 signs in over TLS 1.2', async () => {
    const card = await makeCard({
      label: 'dnie',
      pin: PIN,
      citizen: await dnie.citizen(),
      pkcs1Only: true,
    });
    cleanups.push(() => card.remove());
    const result = await signInWithCard(tls12, card, [dnie.issuing, dnie.root]);
    assert.equal(result.name, 'JUAN ESPAÑOL ESPAÑOL');
    assert.ok(result.pinDialogs >= 1, 'the PIN was asked for and typed');
    assert.equal(result.protocol, 'TLS 1.2');
    assert.deepEqual([...new Set(result.signedWith)], ['rsa_pkcs1_sha256'], 'the card signed PKCS#1 v1.5');
  });

  it('the same DNIe-like card fails against a TLS-1.3-only certificate origin', async () => {
    const card = await makeCard({
      label: 'dnie13',
      pin: PIN,
      citizen: await dnie.citizen(),
      pkcs1Only: true,
    });
    cleanups.push(() => card.remove());
    const { page } = await browserWithCard(tls13, card, [dnie.issuing, dnie.root]);
    await startAtRelyingParty(page, tls13);
    const failure = new Promise<string>((resolve) => {
      page.on('requestfailed', (request) => {
        if (request.url().startsWith(`${tls13.idp.certificateOrigin}/`)) {
          resolve(request.failure()?.errorText ?? 'unknown');
        }
      });
    });
    const done = (async () => {
      // The navigation never completes: do not let the click wait for it.
      await page.click('#continue', { noWaitAfter: true });
      return failure;
    })();
    const pinDialogs = answerPinDialogs(display.display, card.pin, done);
    // TLS 1.3 allows only RSA-PSS for RSA keys: the card has no way to sign the handshake,
    // and Chromium does not fall back to TLS 1.2.
    assert.match(await done, /ERR_SSL_CLIENT_AUTH_NO_COMMON_ALGORITHMS/);
    await pinDialogs;
    assert.equal(await page.locator('#name').count(), 0, 'not signed in');
  });
});
