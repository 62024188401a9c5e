import { BlockList, isIP } from 'node:net';
import type Koa from 'koa';
import type { Middleware } from 'koa';
import type { Logger } from '../observability/logger.js';
import { parseCidr } from '../config/cidr.js';

export { parseCidr };

/**
 * The reverse proxies whose forwarded headers (the client certificate, X-Forwarded-Proto,
 * -Host, -For) the IdP believes, as CIDRs or single addresses. Matching is done on the TCP
 * peer address only: a header can never vouch for its own sender.
 */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly #empty: boolean;

  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const parsed = parseCidr(cidr);
      if (!parsed) throw new Error(`not an IP address or CIDR: ${cidr}`);
      this.#list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
    this.#empty = cidrs.length === 0;
  }

  get isEmpty(): boolean {
    return this.#empty;
  }

  /** Whether a connection from `address` (as Node reports it) comes from a trusted proxy. */
  trusts(address: string | undefined): boolean {
    if (!address || this.#empty) return false;
    const plain = withoutIpv4Mapping(address);
    const family = isIP(plain);
    if (family === 0) return false;
    return this.#list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Dual-stack sockets report IPv4 peers as `::ffff:a.b.c.d`; CIDRs are written plainly. */
export function withoutIpv4Mapping(address: string): string {
  const match = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return match ? match[1]! : address;
}

/**
 * A coarse form of a peer address for logs: the /24 (IPv4) or /48 (IPv6) network. Enough to
 * see which proxy network is missing from `proxy.trustedProxies`, without logging a
 * citizen's full address.
 */
export function peerNetwork(address: string | undefined): string {
  if (!address) return 'unknown';
  const plain = withoutIpv4Mapping(address);
  if (isIP(plain) === 4) return `${plain.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIP(plain) === 6) {
    const head = plain.split('::')[0]!.split(':').slice(0, 3);
    return `${head.join(':')}::/48`;
  }
  return 'unknown';
}

/** Headers through which a proxy says how the client reached it. */
const FORWARDED_HEADERS = ['x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-for', 'x-forwarded-port', 'forwarded'];

/**
 * Koa's `proxy` mode believes X-Forwarded-* from anyone. With it switched on (see
 * oidc-app.ts), this middleware, placed first, deletes those headers from requests whose
 * peer is not a trusted proxy, so that koa (and oidc-provider mounted in it) only ever sees
 * forwarded values a trusted proxy set: `ctx.secure` (secure cookies), `ctx.host`,
 * `ctx.origin` (redirects) and `ctx.ip` (rate limits).
 */
export function forwardedHeadersFromTrustedProxiesOnly(
  trusted: TrustedProxies,
  onIgnored?: (details: { header: string; peerNetwork: string; path: string }) => void,
): Middleware {
  return async function dropUntrustedForwardedHeaders(ctx, next) {
    if (!trusted.trusts(ctx.req.socket.remoteAddress)) {
      for (const header of FORWARDED_HEADERS) {
        if (ctx.req.headers[header] !== undefined) {
          delete ctx.req.headers[header];
          onIgnored?.({ header, peerNetwork: peerNetwork(ctx.req.socket.remoteAddress), path: ctx.path });
        }
      }
    }
    await next();
  };
}

/**
 * Switches koa's proxy mode on for `app` when proxies are configured, believing only the
 * nearest hop (`maxIpsCount` 1: the address our own proxy saw), and only from trusted peers.
 * Nothing changes when no proxy is trusted.
 */
export function trustForwardedHeaders(app: Koa, trusted: TrustedProxies, logger: Logger): void {
  if (trusted.isEmpty) return;
  app.proxy = true;
  app.maxIpsCount = 1;
  app.use(
    forwardedHeadersFromTrustedProxiesOnly(trusted, (details) =>
      logger.info({ event: 'proxy.forwarded_ignored', code: 'PROXY_UNTRUSTED', ...details }, 'X-Forwarded header from an untrusted peer ignored'),
    ),
  );
}
