import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { loadServerConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/observability/logger.js';
import { createStore, redisConnectionSettings } from '../../src/store/create-store.js';
import { MemoryStore } from '../../src/store/memory.js';
import { RedisStore } from '../../src/store/redis.js';
import { certificatePem } from '../../src/cli/dev-pki.js';
import { testTls } from '../support/idp.js';
import { PrivateRedisServer } from '../support/redis-server.js';
import { SHARED_REDIS_URL, uniquePrefix, waitUntilReady } from './redis-test-store.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-store-settings-'));

function configFile(lines: string[]): string {
  const file = path.join(dir, `server-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function load(lines: string[], env: Record<string, string> = {}) {
  return loadServerConfig({ EID_IDP_CONFIG: configFile(lines), ...env }, dir);
}

function refusal(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the configuration to be refused');
}

const quietLogger = () =>
  createLogger('silent', new Writable({ write: (_chunk, _encoding, done) => done() }));

describe('store settings', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to memory with fail-fast Redis timeouts ready for when Redis is chosen', () => {
    const config = loadServerConfig({}, dir);
    assert.equal(config.store.kind, 'memory');
    assert.equal(config.store.keyPrefix, 'eid-idp:');
    assert.equal(config.store.connectTimeoutMs, 1000);
    assert.equal(config.store.commandTimeoutMs, 500);
  });

  it('EID_IDP_STORE_URL selects a standalone Redis', () => {
    const config = loadServerConfig({ EID_IDP_STORE_URL: 'rediss://redis.internal:6380/2' }, dir);
    assert.equal(config.store.kind, 'redis');
    assert.equal(config.store.url, 'rediss://redis.internal:6380/2');
    const settings = redisConnectionSettings(config.store);
    assert.deepEqual(settings.topology, { mode: 'standalone', url: 'rediss://redis.internal:6380/2' });
  });

  it('reads Sentinel and Cluster settings, with file paths relative to the file', () => {
    writeFileSync(path.join(dir, 'redis-password'), 'sesame\n', { mode: 0o600 });
    const sentinel = load([
      'store:',
      '  kind: redis',
      '  sentinel:',
      '    masterName: eid',
      '    sentinels: [sentinel-1:26379, "[::1]:26380"]',
      '  passwordFile: redis-password',
    ]);
    assert.equal(sentinel.store.passwordFile, path.join(dir, 'redis-password'));
    const settings = redisConnectionSettings(sentinel.store);
    assert.deepEqual(settings.topology, {
      mode: 'sentinel',
      masterName: 'eid',
      sentinels: ['sentinel-1:26379', '[::1]:26380'],
    });
    assert.equal(settings.password, 'sesame');

    const cluster = load(['store:', '  kind: redis', '  cluster:', '    nodes: [a:7000, b:7001]']);
    assert.deepEqual(redisConnectionSettings(cluster.store).topology, {
      mode: 'cluster',
      nodes: ['a:7000', 'b:7001'],
    });
  });

  it('refuses redis with no way to reach it, naming file, line and setting', () => {
    const error = refusal(() => load(['issuer: https://idp.example', 'store:', '  kind: redis']));
    assert.match(error.message, /server-\w+\.yaml: line \d+: store\.url/);
    assert.match(error.message, /needs one of url, sentinel or cluster/);
  });

  it('refuses two ways at once, a prefix with braces, a bad node and a non-Redis URL', () => {
    assert.match(
      refusal(() =>
        load(['store:', '  kind: redis', '  url: redis://x:6379', '  cluster:', '    nodes: [a:1]']),
      ).message,
      /set only one of url, sentinel or cluster/,
    );
    assert.match(
      refusal(() => load(['store:', '  kind: redis', '  url: redis://x', '  keyPrefix: "{eid}:"']))
        .message,
      /store\.keyPrefix: must not contain braces/,
    );
    assert.match(
      refusal(() => load(['store:', '  kind: redis', '  cluster:', '    nodes: [no-port]'])).message,
      /store\.cluster\.nodes\[0\]: must be host:port/,
    );
    assert.match(
      refusal(() => loadServerConfig({ EID_IDP_STORE_URL: 'http://redis:6379' }, dir)).message,
      /environment variable EID_IDP_STORE_URL.*must be a redis:\/\/ or rediss:\/\/ URL/,
    );
    assert.match(
      refusal(() => load(['store:', '  url: redis://x:6379'])).message,
      /store\.url is set but store\.kind is memory/,
    );
  });

  it('refuses a password file that others can read', () => {
    const file = path.join(dir, 'open-password');
    writeFileSync(file, 'sesame\n', { mode: 0o644 });
    const config = load([
      'store:',
      '  kind: redis',
      '  url: redis://x:6379',
      `  passwordFile: ${file}`,
    ]);
    const error = refusal(() => redisConnectionSettings(config.store));
    assert.match(error.message, /store\.passwordFile/);
    assert.match(error.message, /readable by other users/);
  });

  it('builds a memory store or a working Redis store from the configuration', async () => {
    const memory = createStore(loadServerConfig({}, dir).store, { logger: quietLogger() });
    assert.ok(memory instanceof MemoryStore);
    await memory.close();

    const config = loadServerConfig(
      { EID_IDP_STORE_URL: SHARED_REDIS_URL, EID_IDP_STORE_KEY_PREFIX: uniquePrefix('settings') },
      dir,
    );
    const redis = createStore(config.store, { logger: quietLogger() });
    assert.ok(redis instanceof RedisStore);
    try {
      await waitUntilReady(redis.client);
      await redis.set('k', 'v', 5);
      assert.equal(await redis.take('k'), 'v');
    } finally {
      await redis.close();
    }
  });

  it('speaks TLS to a rediss:// URL, trusting the CA of store.tls.caFile', async () => {
    const tls = await testTls();
    const files = {
      certFile: path.join(dir, 'redis-tls.pem'),
      keyFile: path.join(dir, 'redis-tls.key'),
      caFile: path.join(dir, 'redis-ca.pem'),
    };
    writeFileSync(files.certFile, certificatePem(tls.server));
    writeFileSync(files.keyFile, tls.keyPem, { mode: 0o600 });
    writeFileSync(files.caFile, certificatePem(tls.ca));
    const server = await PrivateRedisServer.start([], { tls: files });
    try {
      assert.match(server.url, /^rediss:/);
      const config = load([
        'store:',
        '  kind: redis',
        `  url: ${server.url.replace('127.0.0.1', 'localhost')}`,
        '  tls: { caFile: redis-ca.pem }',
      ]);
      const store = createStore(config.store, { logger: quietLogger() });
      assert.ok(store instanceof RedisStore);
      try {
        await waitUntilReady(store.client);
        await store.set('over-tls', 'v', 5);
        assert.equal(await store.take('over-tls'), 'v');
      } finally {
        await store.close();
      }
    } finally {
      await server.destroy();
    }
  });

  it('authenticates with the password from passwordFile', async () => {
    const server = await PrivateRedisServer.start(['--requirepass', 'open-sesame-0123']);
    try {
      writeFileSync(path.join(dir, 'good-password'), 'open-sesame-0123\n', { mode: 0o600 });
      const config = load([
        'store:',
        '  kind: redis',
        `  url: ${server.url}`,
        '  passwordFile: good-password',
      ]);
      const store = createStore(config.store, { logger: quietLogger() });
      assert.ok(store instanceof RedisStore);
      try {
        await waitUntilReady(store.client);
        await store.ping();
      } finally {
        await store.close();
      }
    } finally {
      await server.destroy();
    }
  });
});
