import { randomBytes } from 'node:crypto';
import { LoginRecords } from '../../src/oidc/login-record.js';
import type { LoginRecord } from '../../src/oidc/login-record.js';
import { StoreAdapter } from '../../src/oidc/store-adapter.js';
import type { KeyValueStore } from '../../src/store/contract.js';

/**
 * Seeds `count` live sessions into the store the way the IdP writes them: an oidc-provider
 * Session through the same adapter, and the login record (claims) saved with it. Much
 * faster than `count` real logins; the IdP sees them as any other live session.
 */
export async function seedSessions(store: KeyValueStore, count: number): Promise<void> {
  const sessions = new StoreAdapter(store, 'Session');
  const records = new LoginRecords(store, 3600);
  const now = Math.floor(Date.now() / 1000);
  const batch = 500;
  for (let start = 0; start < count; start += batch) {
    const writes: Promise<void>[] = [];
    for (let i = start; i < Math.min(count, start + batch); i += 1) {
      const id = randomBytes(21).toString('base64url');
      const uid = randomBytes(16).toString('base64url');
      const accountId = randomBytes(32).toString('base64url');
      writes.push(
        sessions.upsert(
          id,
          {
            iat: now,
            exp: now + 3600,
            uid,
            jti: id,
            kind: 'Session',
            accountId,
            loginTs: now,
            acr: 'http://eidas.europa.eu/LoA/high',
            amr: ['hwk', 'sc'],
            authorizations: { 'bench-rp': { sid: randomBytes(16).toString('base64url'), grantId: randomBytes(21).toString('base64url'), persistsLogout: true } },
          },
          3600,
        ),
        records.saveForSession(uid, syntheticRecord(accountId, i)),
      );
    }
    await Promise.all(writes);
  }
}

function syntheticRecord(accountId: string, n: number): LoginRecord {
  return {
    accountId,
    profile: 'es-dnie',
    acr: 'http://eidas.europa.eu/LoA/high',
    amr: ['hwk', 'sc'],
    claims: {
      given_name: `CIUDADANO ${n}`,
      family_name: 'ESPAÑOL BANCO',
      name: `CIUDADANO ${n} ESPAÑOL BANCO`,
      eid_certificate: {
        issuer: 'CN=BENCH AC DNIE 004,O=eid-idp bench,C=ES',
        sha256: randomBytes(32).toString('hex'),
        profile: 'es-dnie',
        country: 'ES',
        validation_level: 'full',
        revocation_status: 'not_checked',
        environment: 'test',
      },
    },
  } as unknown as LoginRecord;
}
