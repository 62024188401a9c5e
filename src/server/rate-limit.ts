import { isIPv6 } from 'node:net';
import type { Context, Middleware } from 'koa';
import type { Logger } from '../observability/logger.js';
import type { PageRenderer } from '../pages/render.js';
import { respondWithErrorPage } from '../pages/respond.js';

/**
 * Rate limiting of the certificate route per client address.
 *
 * In-process, not store-backed, on purpose: what this protects is the CPU of the process
 * that does the handshake and the chain validation, so the count belongs where that CPU is.
 * A shared count would put a Redis round trip on every login (the route's budget is well
 * under a millisecond) and need an atomic increment that KeyValueStore does not offer. With
 * N processes behind a balancer a client gets at most N times the limit, which still bounds
 * the work each process does for it. A certificate cannot be guessed, so the limit is about
 * cost, not about brute force.
 */
export interface RateLimitSettings {
  enabled: boolean;
  /** Requests one client address may make to the certificate route per window. */
  maxRequests: number;
  windowSeconds: number;
}

interface Window {
  startedAtMs: number;
  count: number;
}

/**
 * Fixed-window counters keyed by client address. Memory is bounded: when more than
 * `maxTrackedAddresses` are tracked, finished windows are dropped first, then the oldest.
 */
export class AddressRateLimiter {
  readonly #settings: RateLimitSettings;
  readonly #windows = new Map<string, Window>();
  readonly #maxTracked: number;
  readonly #now: () => number;

  constructor(
    settings: RateLimitSettings,
    options: { maxTrackedAddresses?: number; now?: () => number } = {},
  ) {
    this.#settings = settings;
    this.#maxTracked = options.maxTrackedAddresses ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  /** Counts one request; returns how many seconds to wait when it is over the limit. */
  hit(address: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.#now();
    const windowMs = this.#settings.windowSeconds * 1000;
    const key = addressKey(address);
    let window = this.#windows.get(key);
    if (!window || now - window.startedAtMs >= windowMs) {
      window = { startedAtMs: now, count: 0 };
      this.#windows.delete(key);
      this.#windows.set(key, window);
      this.#evict(now, windowMs);
    }
    window.count += 1;
    if (window.count <= this.#settings.maxRequests) return { allowed: true };
    const retryAfterSeconds = Math.max(1, Math.ceil((window.startedAtMs + windowMs - now) / 1000));
    return { allowed: false, retryAfterSeconds };
  }

  get trackedAddresses(): number {
    return this.#windows.size;
  }

  #evict(now: number, windowMs: number): void {
    if (this.#windows.size <= this.#maxTracked) return;
    for (const [key, window] of this.#windows) {
      if (now - window.startedAtMs >= windowMs) this.#windows.delete(key);
    }
    // Maps iterate in insertion order and a new window is re-inserted, so the first keys
    // are the oldest windows.
    for (const key of this.#windows.keys()) {
      if (this.#windows.size <= this.#maxTracked) break;
      this.#windows.delete(key);
    }
  }
}

/**
 * The key of an address: IPv4 as is, IPv6 by its /64 prefix (one subscriber usually holds a
 * whole /64, so counting single IPv6 addresses would let one client rotate through billions).
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const withoutZone = address.split('%')[0]!;
  const [head = '', tail = ''] = withoutZone.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = withoutZone.includes('::') ? (tail ? tail.split(':') : []) : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = [...headParts, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailParts];
  return parts.map((part) => part.toLowerCase().replace(/^0+(?=.)/, ''));
}

/**
 * Koa middleware for the certificate route: over the limit, the person gets our
 * RATE_LIMITED page (429, Retry-After) before any validation work is done.
 * `clientAddress` says whose request it is (the socket's peer, or in proxy mode the address
 * the trusted proxy vouches for).
 */
export function rateLimitCertificateRoute(options: {
  settings: RateLimitSettings;
  pages: PageRenderer;
  logger: Logger;
  clientAddress?: (ctx: Context) => string | undefined;
  limiter?: AddressRateLimiter;
}): Middleware {
  const limiter = options.limiter ?? new AddressRateLimiter(options.settings);
  // ctx.ip: the socket's peer, or behind a trusted proxy the address it forwarded (koa's
  // proxy mode, believed from trusted proxies only: src/server/trusted-proxies.ts). Without
  // that, every citizen behind the proxy would share one budget.
  const clientAddress = options.clientAddress ?? ((ctx: Context) => ctx.ip);
  return async function limitCertificateRequests(ctx, next) {
    // The admin surface has its own way in and loads several assets per page.
    if (!options.settings.enabled || ctx.path === '/admin' || ctx.path.startsWith('/admin/')) {
      await next();
      return;
    }
    const address = clientAddress(ctx) ?? 'unknown';
    const verdict = limiter.hit(address);
    if (verdict.allowed) {
      await next();
      return;
    }
    ctx.set('Connection', 'close');
    ctx.set('Retry-After', String(verdict.retryAfterSeconds));
    // The address is not personal data we keep; log only that a limit was hit, and where.
    options.logger.warn({ event: 'rate_limit.exceeded', route: 'certificate' }, 'rate limited');
    respondWithErrorPage(ctx, options.pages, {
      code: 'RATE_LIMITED',
      status: 429,
      reference: String(ctx.state.requestId),
    });
  };
}
