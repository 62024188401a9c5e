import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { Issued } from '../../src/cli/dev-pki.js';
import { mappingChangeLogging } from '../../src/identity/mapping-log.js';
import { MappingRegistry } from '../../src/identity/mapping-registry.js';
import { createLogger } from '../../src/observability/logger.js';
import { writeMappingFile } from '../admin/support.js';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/idp.js';
import {
  beginLogin,
  clientCertificateOf,
  finishLogin,
  presentCertificate,
  relyingParty,
} from '../support/login-flow.js';

/**
 * The claim-mapping file changes while the IdP runs: a good edit takes effect without a
 * restart and is logged; a broken one is refused with file, line and setting and the last
 * good mapping stays; logins running across a reload see the old or the new mapping, each
 * one wholly, never a mix, and none fails.
 */

const SCOPE = 'openid profile national_id';

/** Old mapping: DNIe at `substantial`, given name in title case, test-rp gets names only. */
const OLD_MAPPING = `version: 1
profiles:
  es-dnie:
    acr: substantial
    claims:
      given_name: { attribute: GN, transforms: [titleCase] }
clients:
  test-rp:
    claims: [given_name, name]
`;

/** New mapping: DNIe back to `high` with the card's spelling; test-rp gets the identifier. */
const NEW_MAPPING = `version: 1
profiles:
  es-dnie:
    acr: high
clients:
  test-rp:
    claims: [family_name, national_id]
`;

/** Line 6 names a claim the schema does not know. */
const BROKEN_MAPPING = `version: 1
profiles:
  es-dnie:
    acr: high
clients:
  test-rp:
    claims: [family_name, shoe_size]
`;

type Generation = 'old' | 'new';

/** Which mapping a login's claims came from; throws on a mix of the two. */
function generationOf(claims: Record<string, unknown>): Generation {
  const old =
    claims.acr === 'http://eidas.europa.eu/LoA/substantial' &&
    claims.given_name === 'Juan' &&
    typeof claims.name === 'string' &&
    claims.family_name === undefined &&
    claims.national_id === undefined;
  const fresh =
    claims.acr === 'http://eidas.europa.eu/LoA/high' &&
    claims.given_name === undefined &&
    claims.name === undefined &&
    claims.family_name === 'ESPAÑOL ESPAÑOL' &&
    (claims.national_id as { value?: string } | undefined)?.value !== undefined;
  if (old) return 'old';
  if (fresh) return 'new';
  throw new assert.AssertionError({
    message: `claims mix the old and the new mapping: ${JSON.stringify(claims)}`,
  });
}

/** Waits for something the file watcher does; fails naming it, never asserts a duration. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Replaces the file the way configuration tools do: write a sibling, rename it over. */
function replaceFile(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

describe('reloading the claim-mapping file while the IdP runs', () => {
  let idp: TestIdp;
  let registry: MappingRegistry;
  let file: string;
  let citizen: Issued;
  let config: oidc.Configuration;
  const logLines: Record<string, unknown>[] = [];

  before(async () => {
    file = writeMappingFile(OLD_MAPPING);
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean))
          logLines.push(JSON.parse(line));
        done();
      },
    });
    registry = new MappingRegistry({
      file,
      watchDebounceMs: 50,
      ...mappingChangeLogging(createLogger('info', sink)),
    });
    registry.watch();
    idp = await startTestIdp({ mapping: registry });
    citizen = await idp.pki.citizen();
    config = await relyingParty(idp);
  });
  after(async () => {
    registry.close();
    await idp.close();
  });

  /** A login in steps, so a test can reload the mapping between any two of them. */
  async function startLogin() {
    const browser = new TestBrowser({ caPem: idp.tlsCaPem });
    const started = await beginLogin(idp, browser, config, SCOPE);
    return {
      async presentCard() {
        const answer = await presentCertificate(
          idp,
          browser,
          started.uid,
          await clientCertificateOf(citizen),
        );
        assert.equal(answer.status, 303, answer.body.slice(0, 300));
        return answer.location!;
      },
      async finish(callbackUrl: string) {
        const finished = await finishLogin(idp, browser, callbackUrl);
        const tokens = await oidc.authorizationCodeGrant(config, finished.redirect, {
          pkceCodeVerifier: started.checks.codeVerifier,
          expectedState: started.checks.state,
          expectedNonce: started.checks.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims() as Record<string, unknown>;
        const userinfo = (await oidc.fetchUserInfo(
          config,
          tokens.access_token,
          String(claims.sub),
        )) as Record<string, unknown>;
        await browser.close();
        return { claims, userinfo, consentPage: finished.consentPage?.body };
      },
    };
  }

  async function wholeLogin() {
    const login = await startLogin();
    return login.finish(await login.presentCard());
  }

  it('starts with the old mapping in force', async () => {
    const { claims, userinfo } = await wholeLogin();
    assert.equal(generationOf(claims), 'old');
    assert.deepEqual(Object.keys(userinfo).sort(), ['given_name', 'name', 'sub']);
  });

  it('applies a good edit without restart, logs it, and no concurrent login fails or mixes', async () => {
    // One login reads the card under the old mapping and finishes after the reload: the
    // mapping it started with must carry it to the end.
    const straddling = await startLogin();
    const straddlingCallback = await straddling.presentCard();

    const before = registry.loadedAt;
    const concurrent = Array.from({ length: 6 }, async (_, index) => {
      const login = await startLogin();
      const callback = await login.presentCard();
      if (index === 2) replaceFile(file, NEW_MAPPING);
      return login.finish(callback);
    });
    const outcomes = await Promise.all(concurrent);
    await eventually(() => registry.loadedAt !== before, 'the watcher reloading the edited file');

    const generations = outcomes.map(({ claims, userinfo }) => {
      const generation = generationOf(claims);
      // userinfo agrees with the ID token of the same login.
      for (const name of ['given_name', 'name', 'family_name', 'national_id']) {
        assert.deepEqual(
          userinfo[name],
          claims[name],
          `${name} differs between ID token and userinfo`,
        );
      }
      return generation;
    });
    assert.equal(generations.length, 6);

    const lastOfOld = await straddling.finish(straddlingCallback);
    assert.equal(
      generationOf(lastOfOld.claims),
      'old',
      'a login keeps the mapping it started with',
    );

    const afterReload = await wholeLogin();
    assert.equal(generationOf(afterReload.claims), 'new');
    const reloaded = logLines.filter((line) => line.event === 'claim_mapping.reloaded');
    assert.ok(reloaded.length >= 1, 'the reload is logged');
    assert.equal(reloaded.at(-1)!.file, file);
  });

  it('refuses a broken edit naming file, line and setting, and keeps the last good mapping', async () => {
    const good = registry.current;
    replaceFile(file, BROKEN_MAPPING);
    await eventually(
      () => logLines.some((line) => line.event === 'claim_mapping.refused'),
      'the refusal of the broken file in the log',
    );
    const refusal = logLines.find((line) => line.event === 'claim_mapping.refused')!;
    assert.equal(refusal.file, file);
    assert.equal(refusal.line, 7);
    assert.equal(refusal.setting, 'clients.test-rp.claims[1]');
    assert.match(
      String(refusal.reason),
      new RegExp(`${path.basename(file)}: line 7: clients\\.test-rp\\.claims\\[1\\]`),
    );
    assert.equal(registry.current, good, 'the last good mapping stays in force');
    assert.ok(registry.lastRefusal);

    const { claims } = await wholeLogin();
    assert.equal(generationOf(claims), 'new', 'logins go on with the last good mapping');
  });

  it('takes the next good edit after a refused one', async () => {
    const before = registry.loadedAt;
    replaceFile(file, OLD_MAPPING);
    await eventually(() => registry.loadedAt !== before, 'the watcher reloading the fixed file');
    assert.equal(registry.lastRefusal, undefined);
    const { claims } = await wholeLogin();
    assert.equal(generationOf(claims), 'old');
  });
});
