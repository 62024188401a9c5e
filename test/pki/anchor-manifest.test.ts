import 'reflect-metadata';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { loadAnchorManifest } from '../../src/pki/anchor-manifest.js';
import { EID_FIXTURES_DIR, REPO_ROOT } from '../support/paths.js';
import { loadFixture } from './helpers.js';

/**
 * ca-bundle/manifest.yaml is checked against the public fixtures: every fingerprint it
 * states is the one of the fixture it names, and every download URL it gives is published
 * in the caIssuers extension of a real certificate (so no URL is a guess).
 */

const entries = loadAnchorManifest(path.join(REPO_ROOT, 'ca-bundle', 'manifest.yaml'));

function publishedCaIssuers(): Set<string> {
  const urls = new Set<string>();
  for (const file of readdirSync(EID_FIXTURES_DIR).filter((name) => name.endsWith('.pem'))) {
    for (const certificate of loadFixture(file)) {
      const aia = certificate.x509.getExtension(x509.AuthorityInfoAccessExtension);
      for (const name of aia?.caIssuers ?? []) urls.add(name.value);
    }
  }
  return urls;
}

describe('ca-bundle/manifest.yaml', () => {
  it('covers every card profile with production and test entries', () => {
    for (const profile of ['es-dnie', 'es-fnmt', 'ee-esteid', 'be-eid', 'pt-cc', 'fi-fineid', 'lv-eid']) {
      const mine = entries.filter((entry) => entry.profile === profile);
      assert.ok(
        mine.some((entry) => entry.environment === 'production' && entry.role === 'anchor'),
        `${profile}: a production anchor (or an explicit unknown one)`,
      );
      if (profile !== 'es-dnie' && profile !== 'es-fnmt') {
        assert.ok(mine.some((entry) => entry.environment === 'test'), `${profile}: a test anchor`);
      }
    }
  });

  it('states for each fingerprint the fixture it was computed from, and they agree', () => {
    for (const entry of entries) {
      if (entry.sha256 === null) {
        assert.equal(entry.fixture, undefined, `${entry.name}: no fixture, so unknown`);
        continue;
      }
      assert.ok(entry.fixture, `${entry.name}: where does its fingerprint come from?`);
      const [certificate] = loadFixture(entry.fixture);
      assert.equal(certificate?.sha256, entry.sha256, entry.name);
      assert.equal(certificate?.isCa, true, entry.name);
    }
  });

  it('gives only URLs published in a real certificate, and says so where none is', () => {
    const published = publishedCaIssuers();
    for (const entry of entries) {
      if (entry.url === null) {
        assert.ok(entry.note, `${entry.name}: url null needs a note`);
        continue;
      }
      assert.ok(published.has(entry.url), `${entry.name}: ${entry.url} is not in any caIssuers`);
      assert.ok(entry.url_source, `${entry.name}: which certificate publishes the URL?`);
    }
  });
});
