import { ReplyError } from 'ioredis';
import { StoreUnavailableError } from '../errors.js';
import type { KeyValueStore } from './contract.js';
import { KeyLayout } from './keys.js';
import type { RedisClient } from './redis-connection.js';

/**
 * Single-key Lua scripts (cluster-safe: see keys.ts). Each runs atomically on the server.
 *
 * ADD_TO_SET: add a member and extend the set's lifetime to at least the given one, never
 * shorten it (a grant index lives as long as the longest-lived token in it).
 * TAKE_SET: read and delete the whole set in one step, so two concurrent revocations of one
 * grant cannot both see (or both miss) its members.
 */
const ADD_TO_SET = `
redis.call('SADD', KEYS[1], ARGV[1])
local wanted = tonumber(ARGV[2])
local remaining = redis.call('PTTL', KEYS[1])
if remaining < wanted then redis.call('PEXPIRE', KEYS[1], wanted) end
return 1`;

const TAKE_SET = `
local members = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
return members`;

interface ScriptCommands {
  eidAddToSet(key: string, member: string, ttlMs: number): Promise<number>;
  eidTakeSet(key: string): Promise<string[]>;
}

/**
 * Redis answers that mean "not now" rather than "you asked something wrong": a replica
 * loading its data, a master being failed over, a cluster reconfiguring.
 */
const TRANSIENT_REPLIES = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|BUSY)\b/;

export interface RedisStoreOptions {
  keyPrefix: string;
  /** Called for every failed command (metrics count Redis errors here). */
  onError?: (operation: string, error: unknown) => void;
}

/**
 * The shared store for many IdP processes, on ioredis (standalone, Sentinel or Cluster).
 * Every key expires; `take` is GETDEL (Redis ≥ 6.2), atomic on the server. Any failure to
 * reach Redis becomes a StoreUnavailableError (503, STORE_UNAVAILABLE page), so a request
 * with Redis down ends on a clear page and the process carries on.
 */
export class RedisStore implements KeyValueStore {
  readonly kind = 'redis';
  /** The ioredis client, for connection events and tests (a plain field: proxies see it). */
  readonly client: RedisClient;
  readonly #keys: KeyLayout;
  readonly #onError: RedisStoreOptions['onError'];
  #closing = false;

  constructor(client: RedisClient, options: RedisStoreOptions) {
    this.client = client;
    this.#keys = new KeyLayout(options.keyPrefix);
    this.#onError = options.onError;
    client.defineCommand('eidAddToSet', { numberOfKeys: 1, lua: ADD_TO_SET });
    client.defineCommand('eidTakeSet', { numberOfKeys: 1, lua: TAKE_SET });
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.#run('get', () => this.client.get(this.#keys.key(key)));
    return value ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    const seconds = wholeSeconds(ttlSeconds);
    await this.#run('set', () => this.client.set(this.#keys.key(key), value, 'EX', seconds));
  }

  async take(key: string): Promise<string | undefined> {
    const value = await this.#run('take', () => this.client.getdel(this.#keys.key(key)));
    return value ?? undefined;
  }

  async delete(...keys: string[]): Promise<void> {
    // One UNLINK per key: a multi-key command would fail across Cluster slots (keys.ts).
    await this.#run('delete', () =>
      Promise.all(keys.map((key) => this.client.unlink(this.#keys.key(key)))),
    );
  }

  async addToSet(key: string, member: string, ttlSeconds: number): Promise<void> {
    const ttlMs = wholeSeconds(ttlSeconds) * 1000;
    await this.#run('addToSet', () =>
      this.#scripts.eidAddToSet(this.#keys.key(key), member, ttlMs),
    );
  }

  async takeSet(key: string): Promise<string[]> {
    return this.#run('takeSet', () => this.#scripts.eidTakeSet(this.#keys.key(key)));
  }

  async ping(): Promise<void> {
    await this.#run('ping', () => this.client.ping());
  }

  /** True once close() was called: a connection that closes then is not an outage. */
  isClosing(): boolean {
    return this.#closing;
  }

  async close(): Promise<void> {
    this.#closing = true;
    try {
      await this.client.quit();
    } catch {
      // Redis is already gone; drop the socket and stop reconnecting.
      this.client.disconnect();
    }
  }

  get #scripts(): ScriptCommands {
    return this.client as unknown as ScriptCommands;
  }

  async #run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      this.#onError?.(operation, error);
      if (error instanceof ReplyError && !TRANSIENT_REPLIES.test((error as Error).message)) {
        throw error;
      }
      throw new StoreUnavailableError(`redis ${operation}: ${(error as Error).message}`, error);
    }
  }
}

function wholeSeconds(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`a TTL must be a positive number of seconds, got ${ttlSeconds}`);
  }
  return Math.ceil(ttlSeconds);
}
