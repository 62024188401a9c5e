import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertAccessible, saveScreenshot } from '../support/chromium.js';
import { REPO_ROOT } from '../support/paths.js';
import { openBrowser, startJourneyIdp, type CitizenBrowser, type JourneyIdp } from './journey.js';

/** The README's copy-paste snippet, exactly as written there. */
function readmeSnippet(): string {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const match = /<!-- eid-button-snippet:start -->\s*```html\n([\s\S]*?)```\s*<!-- eid-button-snippet:end -->/.exec(readme);
  assert.ok(match?.[1], 'README.md has the "Sign in with eID" snippet between its markers');
  return match[1];
}

/**
 * The "Sign in with eID" button relying parties put on their pages: HTML and CSS (and SVG
 * images) served by the IdP, light and dark, accessible, and used by the demo relying party.
 */
describe('the "Sign in with eID" button', () => {
  let journey: JourneyIdp;
  let open: CitizenBrowser | undefined;

  before(async () => {
    journey = await startJourneyIdp();
    open = await openBrowser(journey, []);
  });

  after(async () => {
    await open?.close();
    await journey?.close();
  });

  it('is served by the IdP as CSS and SVG (light, dark, Spanish)', async () => {
    const { page } = open!;
    for (const [file, type] of [
      ['eid-button.css', 'text/css'],
      ['sign-in-with-eid.svg', 'image/svg+xml'],
      ['sign-in-with-eid-dark.svg', 'image/svg+xml'],
      ['sign-in-with-eid-es.svg', 'image/svg+xml'],
    ] as const) {
      const response = await page.goto(`${journey.idp.issuer}/static/${file}`);
      assert.ok(response, file);
      assert.equal(response.status(), 200, file);
      assert.match(response.headers()['content-type'] ?? '', new RegExp(type.replace('+', '\\+')), file);
    }
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`on the demo relying party (${scheme}): readable, accessible, keyboard-operable`, async () => {
      const { page } = open!;
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(journey.rp.url);
      const button = page.getByRole('link', { name: 'Sign in with eID' });
      assert.equal(await button.count(), 1, 'a link whose accessible name is "Sign in with eID"');
      const colours = await button.evaluate((element) => {
        const style = getComputedStyle(element);
        return { background: style.backgroundColor, colour: style.color, height: element.getBoundingClientRect().height };
      });
      // The IdP's stylesheet applied (not the browser's default link style), per scheme.
      assert.equal(colours.background, scheme === 'light' ? 'rgb(11, 79, 156)' : 'rgb(127, 182, 255)');
      assert.ok(colours.height >= 44, `at least 44 px high, not ${colours.height}`);
      await assertAccessible(page, `demo relying party (${scheme})`);
      await saveScreenshot(page, `button-${scheme}`);

      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'sign-in', 'reached by Tab');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/interaction\//);
      assert.ok(page.url().startsWith(journey.idp.issuer), 'Enter starts the sign-in at the IdP');
    });
  }

  it('the README snippet renders the same accessible button', async () => {
    const { page } = open!;
    await page.emulateMedia({ colorScheme: 'light' });
    const html = readmeSnippet().replaceAll('https://idp.example.org', journey.idp.issuer);
    await page.setContent(`<!DOCTYPE html><html lang="en"><head><title>snippet</title></head><body><main>${html}</main></body></html>`);
    await page.waitForLoadState('networkidle');
    const button = page.getByRole('link', { name: 'Sign in with eID' });
    assert.equal(await button.count(), 1);
    assert.equal(
      await button.evaluate((element) => getComputedStyle(element).backgroundColor),
      'rgb(11, 79, 156)',
      'the stylesheet from the IdP applies',
    );
    await assertAccessible(page, 'README snippet');
  });
});
