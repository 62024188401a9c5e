import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMappingText } from '../../src/identity/mapping-file.js';
import { accountClaims, releaseSnapshot } from '../../src/oidc/claims-release.js';
import type { LoginRecord } from '../../src/oidc/login-record.js';

/**
 * The one function the provider, the consent page and the admin preview release claims
 * with: per-client restriction, scope-gated claims, and the per-login snapshot.
 */

const RECORD: LoginRecord = {
  accountId: 'account-1',
  profile: 'ee-esteid',
  acr: 'http://eidas.europa.eu/LoA/high',
  amr: ['hwk', 'sc'],
  claims: {
    given_name: 'JAAK-KRISTJAN',
    family_name: 'JÕEORG',
    name: 'JAAK-KRISTJAN JÕEORG',
    birthdate: '1980-01-08',
    national_id: { type: 'PNO', country: 'EE', value: '38001085718', raw: 'PNOEE-38001085718' },
    eid_certificate: {
      issuer: 'TEST of ESTEID2018',
      sha256: 'a'.repeat(64),
      profile: 'ee-esteid',
      country: 'EE',
      validation_level: 'full',
      revocation_status: 'good',
      environment: 'test',
    },
  },
};

const RESTRICTING = parseMappingText(
  'version: 1\nclients:\n  library:\n    claims: [given_name, birthdate]\n',
  'mapping.yaml',
);
const OPEN = parseMappingText('version: 1\n', 'mapping.yaml');

describe('what one login releases to one client', () => {
  it('keeps national_id and birthdate for their own scopes', () => {
    const names = (scope: string) => Object.keys(accountClaims(RECORD, 'any', OPEN, scope)).sort();
    assert.deepEqual(names('openid profile eid_certificate'), [
      'eid_certificate',
      'family_name',
      'given_name',
      'name',
      'sub',
    ]);
    assert.deepEqual(names('openid national_id'), [
      'eid_certificate',
      'family_name',
      'given_name',
      'name',
      'national_id',
      'sub',
    ]);
    assert.deepEqual(names('openid birthdate'), [
      'birthdate',
      'eid_certificate',
      'family_name',
      'given_name',
      'name',
      'sub',
    ]);
  });

  it('applies the mapping file restriction on top of the scopes', () => {
    const claims = accountClaims(
      RECORD,
      'library',
      RESTRICTING,
      'openid profile birthdate national_id',
    );
    assert.deepEqual(claims, {
      sub: 'account-1',
      given_name: 'JAAK-KRISTJAN',
      birthdate: '1980-01-08',
    });
  });

  it('keeps the rule a login started with, for that login only', () => {
    const started = { ...RECORD, release: releaseSnapshot(RESTRICTING, 'library') };
    // The administrator lifts the restriction mid-login: this login keeps its rule...
    assert.deepEqual(Object.keys(accountClaims(started, 'library', OPEN, 'openid profile')), [
      'sub',
      'given_name',
    ]);
    // ...another client of the same session gets the mapping in force...
    assert.ok('family_name' in accountClaims(started, 'other', OPEN, 'openid profile'));
    // ...and once the login is over, so does this client.
    const over = {
      ...RECORD,
      release: releaseSnapshot(RESTRICTING, 'library', Date.now() - 3_600_000),
    };
    assert.ok('family_name' in accountClaims(over, 'library', OPEN, 'openid profile'));
  });
});
