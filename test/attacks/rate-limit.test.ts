import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { AddressRateLimiter, addressKey } from '../../src/server/rate-limit.js';
import { startTestIdp, type TestIdp } from '../support/idp.js';

const LIMIT = { enabled: true, maxRequests: 3, windowSeconds: 60 };

/** One request to the certificate route from `localAddress` (any 127.x address is loopback). */
async function certificateStep(
  idp: TestIdp,
  localAddress: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; retryAfter: string | undefined; frames: unknown }> {
  const dispatcher = new Agent({ connect: { ca: idp.tlsCaPem }, localAddress });
  try {
    const response = await request(`${idp.certificateOrigin}/interaction/${'u'.repeat(21)}/certificate`, {
      // The login page's form, without its step token: refused (403) once past the limiter.
      method: 'POST',
      body: '',
      dispatcher,
      headers: { 'accept-language': 'en', 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
    const retryAfter = response.headers['retry-after'];
    return {
      status: response.statusCode,
      body: await response.body.text(),
      retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
      frames: response.headers['x-frame-options'],
    };
  } finally {
    await dispatcher.close();
  }
}

describe('attack: flooding the certificate route from one address', () => {
  let idp: TestIdp;

  before(async () => {
    idp = await startTestIdp({ settings: { rateLimit: LIMIT } });
  });
  after(() => idp.close());

  it('answers 429 with our page once an address is over its limit, before any validation', async () => {
    for (let i = 0; i < LIMIT.maxRequests; i += 1) {
      assert.equal((await certificateStep(idp, '127.0.0.1')).status, 403);
    }
    const limited = await certificateStep(idp, '127.0.0.1');
    assert.equal(limited.status, 429);
    assert.match(limited.body, /data-code="RATE_LIMITED"/);
    assert.match(limited.body, /Too many attempts/);
    assert.ok(Number(limited.retryAfter) >= 1 && Number(limited.retryAfter) <= 60, limited.retryAfter);
    assert.equal(limited.frames, 'DENY', 'the 429 page carries the security headers too');

    const spanish = await certificateStep(idp, '127.0.0.1', { 'accept-language': 'es' });
    assert.equal(spanish.status, 429);
    assert.match(spanish.body, /Demasiados intentos/);
    assert.ok(idp.logLines().some((line) => line.event === 'rate_limit.exceeded'));
  });

  it('counts each client address on its own', async () => {
    assert.equal((await certificateStep(idp, '127.0.0.2')).status, 403);
  });

  it('is not evaded by an X-Forwarded-For header from a peer that is not a trusted proxy', async () => {
    for (let i = 0; i < LIMIT.maxRequests; i += 1) await certificateStep(idp, '127.0.0.3');
    const spoofed = await certificateStep(idp, '127.0.0.3', { 'x-forwarded-for': '198.51.100.7' });
    assert.equal(spoofed.status, 429);
  });
});

describe('rate limiting behind a trusted proxy', () => {
  let idp: TestIdp;

  before(async () => {
    idp = await startTestIdp({
      settings: {
        rateLimit: LIMIT,
        proxy: { trustedProxies: ['127.0.0.4'], maxHeaderBytes: 16384 },
      },
    });
  });
  after(() => idp.close());

  it('counts the client address the trusted proxy forwards, not the proxy itself', async () => {
    const from = (client: string) => certificateStep(idp, '127.0.0.4', { 'x-forwarded-for': client });
    for (let i = 0; i < LIMIT.maxRequests; i += 1) assert.equal((await from('198.51.100.7')).status, 403);
    assert.equal((await from('198.51.100.7')).status, 429);
    assert.equal((await from('198.51.100.8')).status, 403, 'another citizen behind the same proxy');
  });
});

describe('AddressRateLimiter', () => {
  it('opens a new window after windowSeconds', () => {
    let now = 0;
    const limiter = new AddressRateLimiter(LIMIT, { now: () => now });
    for (let i = 0; i < 3; i += 1) assert.equal(limiter.hit('192.0.2.1').allowed, true);
    const refused = limiter.hit('192.0.2.1');
    assert.deepEqual(refused, { allowed: false, retryAfterSeconds: 60 });
    now = 59_000;
    assert.deepEqual(limiter.hit('192.0.2.1'), { allowed: false, retryAfterSeconds: 1 });
    now = 60_000;
    assert.equal(limiter.hit('192.0.2.1').allowed, true);
  });

  it('counts an IPv6 /64 as one client and an IPv4-mapped address as its IPv4', () => {
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), addressKey('2001:db8:1:2:ffff:1:2:3'));
    assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
    assert.equal(addressKey('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  });

  it('keeps memory bounded however many addresses it sees', () => {
    const limiter = new AddressRateLimiter(LIMIT, { maxTrackedAddresses: 100, now: () => 0 });
    for (let i = 0; i < 10_000; i += 1) limiter.hit(`10.0.${i >> 8}.${i & 255}`);
    assert.ok(limiter.trackedAddresses <= 100, String(limiter.trackedAddresses));
  });
});
