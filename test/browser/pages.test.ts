import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page, Response } from 'playwright-core';
import {
  assertAccessible,
  commonName,
  installAutoSelectPolicy,
  removeAutoSelectPolicy,
  saveScreenshot,
  seriousAccessibilityViolations,
} from '../support/chromium.js';
import { JOURNEY_CLIENT_ID, openBrowser, startAtRelyingParty, startJourneyIdp, type CitizenBrowser, type JourneyIdp } from './journey.js';

type Language = 'en' | 'es';

/** Words each page must say, per language: what is needed, what to choose, what to do. */
const WORDS: Record<Language, Record<string, RegExp[]>> = {
  en: {
    login: [/card reader/i, /middleware/i, /PIN/, /AUTHENTICATION/, /Do not choose the signature/, /close every window/],
    consent: [/Share your details with Demo relying party/, /JUAN ESPAÑOL ESPAÑOL/],
    logout: [/Sign out\?/],
    'logged-out': [/You are signed out/, /remove your card/i],
    'error-cert-missing': [/No certificate was received/, /card is in the reader/, /close every window/],
    'error-oidc': [/not registered with us/],
    'form-post': [/Returning to the service/],
  },
  es: {
    login: [/lector/i, /middleware/i, /PIN/, /AUTENTICACIÓN/, /No elija el certificado de firma/, /cierre todas las ventanas/],
    consent: [/JUAN ESPAÑOL ESPAÑOL/],
    logout: [/cerrar (la )?sesión/i],
    'logged-out': [/sesión/i],
    'error-cert-missing': [/No se ha recibido ningún certificado/, /cierre todas las ventanas/],
    'error-oidc': [/no está registrad/i],
    'form-post': [/Volviendo al servicio/],
  },
};

/**
 * Every page of the IdP in both languages, in a real browser: the words a citizen needs,
 * `lang`, a strict Content-Security-Policy with nothing loaded from elsewhere and nothing
 * blocked, no serious accessibility violation (axe-core), operable by keyboard, and a
 * screenshot of each for the README and for review.
 */
describe('the pages a citizen sees, in English and Spanish', () => {
  let journey: JourneyIdp;
  let open: CitizenBrowser | undefined;

  before(async () => {
    journey = await startJourneyIdp();
    installAutoSelectPolicy([
      { origin: journey.idp.certificateOrigin, issuerCn: commonName(journey.idp.pki.issuing) },
    ]);
  });

  after(async () => {
    removeAutoSelectPolicy();
    await open?.close();
    await journey?.close();
  });

  /** Watches a page: every request stays on our origins, no CSP violation is reported. */
  function watch(page: Page): { problems: string[] } {
    const allowed = new Set([
      new URL(journey.idp.issuer).origin,
      new URL(journey.idp.certificateOrigin).origin,
      new URL(journey.rp.url).origin,
    ]);
    const problems: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && !allowed.has(url.origin)) problems.push(`external request ${request.url()}`);
    });
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    return { problems };
  }

  async function checkPage(
    page: Page,
    response: Response | null,
    name: string,
    language: Language,
  ): Promise<void> {
    assert.equal(await page.getAttribute('html', 'lang'), language, `${name}: lang`);
    const text = await page.locator('body').innerText();
    for (const words of WORDS[language][name] ?? []) assert.match(text, words, `${name} (${language})`);
    if (response) {
      const csp = (await response.allHeaders())['content-security-policy'] ?? '';
      assert.match(csp, /default-src 'none'/, `${name}: CSP default-src`);
      assert.match(csp, /frame-ancestors 'none'/, `${name}: CSP frame-ancestors`);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, `${name}: no unsafe CSP source`);
      assert.ok(csp.includes(`script-src ${journey.idp.issuer}`), `${name}: scripts only from the IdP`);
    }
    // The language switch is visible and names the other language in that language.
    const other = language === 'en' ? 'es' : 'en';
    const switchLink = page.locator(`header a[hreflang="${other}"]`);
    assert.equal(await switchLink.count(), 1, `${name}: a language switch`);
    assert.ok(await switchLink.isVisible(), `${name}: the language switch is visible`);
    await assertAccessible(page, `${name} (${language})`);
    await saveScreenshot(page, `${name}-${language}`);
  }

  /** The last navigation response of the main frame (for its headers). */
  function lastDocument(page: Page): () => Response | null {
    let last: Response | null = null;
    page.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
        last = response;
      }
    });
    return () => last;
  }

  it('the accessibility check itself finds violations on a page that has them', async () => {
    await open?.close();
    open = await openBrowser(journey, []);
    await open.page.setContent('<html><body><img src="data:,"><button></button></body></html>');
    const found = await seriousAccessibilityViolations(open.page);
    assert.ok(found.some((v) => v.id === 'html-has-lang'), 'missing lang is reported');
    assert.ok(found.some((v) => v.id === 'image-alt'), 'missing alt text is reported');
  });

  for (const language of ['en', 'es'] as const) {
    it(`login, consent, form_post, logout and signed-out pages (${language}), operated by keyboard`, async () => {
      await open?.close();
      // A different person per language: consent is remembered per person and service.
      const juan = await journey.idp.pki.citizen({ dni: language === 'en' ? '00000000T' : '11111111H' });
      open = await openBrowser(journey, [{ certificate: juan, chain: [journey.idp.pki.issuing], name: 'card' }], {
        locale: language === 'en' ? 'en-GB' : 'es-ES',
      });
      const { page } = open;
      const watcher = watch(page);
      const documentResponse = lastDocument(page);

      await startAtRelyingParty(page, journey);
      await checkPage(page, documentResponse(), 'login', language);
      // The pages follow the system's dark scheme: contrast must hold there too.
      await page.emulateMedia({ colorScheme: 'dark' });
      await assertAccessible(page, `login (${language}, dark)`);
      await saveScreenshot(page, `login-${language}-dark`);
      await page.emulateMedia({ colorScheme: 'light' });

      // Keyboard only: the first Tab reaches the skip link, then "Continue" is reachable.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip');
      let reached = false;
      for (let i = 0; i < 8 && !reached; i += 1) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => document.activeElement?.id === 'continue');
      }
      assert.ok(reached, 'Continue is reachable with the Tab key');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#allow', { timeout: 45_000 });
      await checkPage(page, documentResponse(), 'consent', language);
      await page.focus('#allow');
      await page.keyboard.press('Enter');
      await page.waitForURL(`${journey.rp.url}/`);

      // response_mode=form_post: the page that carries the answer back to the service. Its
      // script (which submits at once) is held back so that the page itself can be checked.
      await page.route('**/static/form-post.js', (route) =>
        route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }),
      );
      const formPost = new URLSearchParams({
        client_id: JOURNEY_CLIENT_ID,
        response_type: 'code',
        response_mode: 'form_post',
        scope: 'openid profile',
        redirect_uri: `${journey.rp.url}/callback`,
        state: 'form-post-state',
        nonce: 'form-post-nonce',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      });
      await page.goto(`${journey.idp.issuer}/auth?${formPost}`);
      await page.waitForSelector('#form-post');
      await checkPage(page, documentResponse(), 'form-post', language);
      const csp = (await documentResponse()?.allHeaders())?.['content-security-policy'] ?? '';
      assert.ok(csp.includes(journey.rp.url), 'the form may post to the relying party only');
      await page.unroute('**/static/form-post.js');

      // The IdP's own logout (no return address): confirmation page, then signed-out page.
      await page.goto(`${journey.idp.issuer}/session/end?client_id=${JOURNEY_CLIENT_ID}`);
      await page.waitForSelector('#logout-yes');
      await checkPage(page, documentResponse(), 'logout', language);
      await page.click('#logout-yes');
      await page.waitForLoadState('load');
      await checkPage(page, documentResponse(), 'logged-out', language);

      assert.deepEqual(watcher.problems, [], 'nothing external, nothing blocked by the CSP');
    });

    it(`error pages (${language}) say what went wrong and what to do, with a working language switch`, async () => {
      await open?.close();
      open = await openBrowser(journey, [], { locale: language === 'en' ? 'en-GB' : 'es-ES' });
      const { page } = open;
      const watcher = watch(page);
      const documentResponse = lastDocument(page);

      await startAtRelyingParty(page, journey);
      await page.click('#continue');
      await page.waitForSelector('#error-title', { timeout: 45_000 });
      assert.equal(await page.getAttribute('#error-title', 'data-code'), 'CERT_MISSING');
      await checkPage(page, documentResponse(), 'error-cert-missing', language);

      const params = new URLSearchParams({
        client_id: 'nobody',
        response_type: 'code',
        scope: 'openid',
        redirect_uri: `${journey.rp.url}/callback`,
      });
      await page.goto(`${journey.idp.issuer}/auth?${params}`);
      await page.waitForSelector('#error-title');
      await checkPage(page, documentResponse(), 'error-oidc', language);

      // The switch shows the same page in the other language, and the choice is kept.
      const other = language === 'en' ? 'es' : 'en';
      await page.click(`header a[hreflang="${other}"]`);
      await page.waitForFunction((lang) => document.documentElement.lang === lang, other);
      assert.match(
        await page.locator('#error-body').innerText(),
        other === 'es' ? /no está registrad/i : /not registered with us/,
      );
      assert.deepEqual(watcher.problems, [], 'nothing external, nothing blocked by the CSP');
    });
  }
});
