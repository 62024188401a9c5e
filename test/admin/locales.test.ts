import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/paths.js';

/** Every text of the admin pages exists in both languages. */

const VIEWS = path.join(REPO_ROOT, 'views');
const catalogue = (language: string) =>
  JSON.parse(readFileSync(path.join(VIEWS, 'locales', `${language}.json`), 'utf8')) as Record<
    string,
    string
  >;

/** Keys the templates build from data: the literal part plus every value it can take. */
const DYNAMIC_KEYS = [
  'admin.principal.certificate',
  'admin.principal.token',
  'admin.source.built-in',
  'admin.source.overridden',
  'admin.source.mapping-file',
  'admin.denied.401.title',
  'admin.denied.401.body',
  'admin.denied.403.title',
  'admin.denied.403.body',
];

describe('the admin pages in English and Spanish', () => {
  it('have every message they use in both catalogues', () => {
    const used = new Set(DYNAMIC_KEYS);
    for (const template of ['admin.eta', 'admin-denied.eta']) {
      const text = readFileSync(path.join(VIEWS, template), 'utf8');
      for (const match of text.matchAll(/it\.t\('([a-z0-9.-]+)'[,)]/g)) used.add(match[1]!);
    }
    assert.ok(used.size > 30);
    for (const language of ['en', 'es']) {
      const messages = catalogue(language);
      const missing = [...used].filter((key) => typeof messages[key] !== 'string');
      assert.deepEqual(missing, [], `${language}.json lacks ${missing.join(', ')}`);
    }
  });
});
