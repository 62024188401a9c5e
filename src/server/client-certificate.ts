import type { TLSSocket } from 'node:tls';
import type { Context } from 'koa';
import type { Logger } from '../observability/logger.js';
import {
  FORWARDED_CERTIFICATE_FORMATS,
  forwardedCertificateParser,
  ForwardedCertificateSyntaxError,
  type ForwardedCertificateFormat,
} from './forwarded-certificate/index.js';
import { presentedChain } from './presented-chain.js';
import { peerNetwork, TrustedProxies } from './trusted-proxies.js';

/** At most this many certificates are taken from a forwarded header, as from a handshake. */
const MAX_FORWARDED_CERTIFICATES = 10;

/** The `proxy` settings that concern the client certificate (see src/config/schema.ts). */
export interface CertificateProxySettings {
  trustedProxies: readonly string[];
  certificateHeader?: { format: ForwardedCertificateFormat; name?: string };
  maxHeaderBytes: number;
}

/**
 * Built once per IdP from the settings; passed to every caller of clientCertificateChain
 * (the certificate route, the admin surface).
 */
export interface CertificateProxy {
  trusted: TrustedProxies;
  format: ForwardedCertificateFormat | undefined;
  /** Lower-case names of the forwarded-certificate headers of the configured format. */
  headerNames: string[];
  /**
   * Headers whose presence is logged where they are not honoured: the configured format's,
   * or, with no format configured, every format's default names.
   */
  watchedHeaderNames: string[];
  configuredName: string | undefined;
  maxHeaderBytes: number;
  logger: Logger;
}

export function certificateProxy(settings: CertificateProxySettings | undefined, logger: Logger): CertificateProxy {
  const format = settings?.certificateHeader?.format;
  const configuredName = settings?.certificateHeader?.name;
  return {
    trusted: new TrustedProxies(settings?.trustedProxies ?? []),
    format,
    headerNames: format ? forwardedCertificateParser(format).headerNames(configuredName) : [],
    watchedHeaderNames: format
      ? forwardedCertificateParser(format).headerNames(configuredName)
      : FORWARDED_CERTIFICATE_FORMATS.flatMap((each) => forwardedCertificateParser(each).headerNames()),
    configuredName,
    maxHeaderBytes: settings?.maxHeaderBytes ?? 16384,
    logger,
  };
}

export type CertificateSource = 'tls' | `proxy:${ForwardedCertificateFormat}`;

export type ClientCertificateResult =
  | { ok: true; chain: Uint8Array[]; source: CertificateSource }
  | {
      ok: false;
      code: 'PROXY_HEADER_REPEATED' | 'PROXY_HEADER_TOO_LARGE' | 'CERT_MALFORMED';
      status: number;
      /** For the log: names what is wrong, never certificate content. */
      detail: string;
      source: CertificateSource;
    };

/**
 * The certificate chain the citizen presented for this request, leaf first, as DER:
 *  - from a trusted proxy (peer address in `proxy.trustedProxies`) with a forwarded-certificate
 *    format configured: from the header only, never from the proxy's own TLS connection;
 *    no header means no certificate;
 *  - from anyone else: from this connection's TLS handshake; a forwarded-certificate header
 *    they sent is ignored and logged (PROXY_UNTRUSTED).
 * A header present several times, larger than `proxy.maxHeaderBytes`, or not in its format's
 * syntax is refused. The chain is not validated here: callers pass it to decideCertificate.
 */
export function clientCertificateChain(ctx: Context, proxy: CertificateProxy): ClientCertificateResult {
  const peer = ctx.req.socket.remoteAddress;
  const presentHeaders = proxy.watchedHeaderNames.filter((name) => ctx.req.headers[name] !== undefined);
  if (!proxy.format || !proxy.trusted.trusts(peer)) {
    if (presentHeaders.length > 0) {
      logUntrusted(ctx, proxy, presentHeaders, proxy.format ? 'peer not a trusted proxy' : 'proxy mode off');
    }
    return { ok: true, chain: tlsChain(ctx), source: 'tls' };
  }

  const source: CertificateSource = `proxy:${proxy.format}`;
  const values = new Map<string, string>();
  let totalBytes = 0;
  for (const name of proxy.headerNames) {
    const lines = headerLines(ctx, name);
    if (lines.length > 1) {
      return refusal('PROXY_HEADER_REPEATED', 400, `${name} sent ${lines.length} times`, source);
    }
    if (lines.length === 1) {
      totalBytes += Buffer.byteLength(lines[0]!, 'latin1');
      values.set(name, lines[0]!);
    }
  }
  if (totalBytes > proxy.maxHeaderBytes) {
    return refusal(
      'PROXY_HEADER_TOO_LARGE',
      431,
      `forwarded certificate headers of ${totalBytes} bytes exceed proxy.maxHeaderBytes (${proxy.maxHeaderBytes})`,
      source,
    );
  }
  try {
    const chain = forwardedCertificateParser(proxy.format).parse(values, proxy.configuredName);
    if (chain.length > MAX_FORWARDED_CERTIFICATES) {
      return refusal('CERT_MALFORMED', 400, `${chain.length} certificates forwarded`, source);
    }
    return { ok: true, chain, source };
  } catch (error) {
    if (error instanceof ForwardedCertificateSyntaxError) {
      return refusal('CERT_MALFORMED', 400, error.message, source);
    }
    throw error;
  }
}

/**
 * Logs forwarded-certificate headers that arrive where they are not honoured: any route but
 * the certificate route, on either origin. The header itself is never logged.
 */
export function ignoreForwardedCertificateElsewhere(proxy: CertificateProxy) {
  return async function logIgnoredCertificateHeaders(ctx: Context, next: () => Promise<unknown>) {
    try {
      await next();
    } finally {
      // After the routes: the certificate route marks itself (ctx.state.certificateRoute).
      const present = proxy.watchedHeaderNames.filter((name) => ctx.req.headers[name] !== undefined);
      if (present.length > 0 && !ctx.state.certificateRoute) {
        logUntrusted(ctx, proxy, present, 'not the certificate route');
      }
    }
  };
}

function logUntrusted(ctx: Context, proxy: CertificateProxy, headers: string[], reason: string): void {
  proxy.logger.warn(
    {
      event: 'proxy.header_ignored',
      code: 'PROXY_UNTRUSTED',
      reason,
      headers,
      peerNetwork: peerNetwork(ctx.req.socket.remoteAddress),
      path: ctx.path,
      requestId: ctx.state.requestId,
    },
    'forwarded client certificate ignored',
  );
}

/** Each line of a header as sent: Node joins repeated custom headers, rawHeaders keeps them apart. */
function headerLines(ctx: Context, name: string): string[] {
  const raw = ctx.req.rawHeaders;
  const lines: string[] = [];
  for (let index = 0; index + 1 < raw.length; index += 2) {
    if (raw[index]!.toLowerCase() === name) lines.push(raw[index + 1]!);
  }
  return lines;
}

function tlsChain(ctx: Context): Uint8Array[] {
  const socket = ctx.req.socket as Partial<TLSSocket>;
  // A plain-HTTP listener (certificate origin behind a proxy) has no handshake to read.
  return typeof socket.getPeerCertificate === 'function' ? presentedChain(socket as TLSSocket) : [];
}

function refusal(
  code: 'PROXY_HEADER_REPEATED' | 'PROXY_HEADER_TOO_LARGE' | 'CERT_MALFORMED',
  status: number,
  detail: string,
  source: CertificateSource,
): ClientCertificateResult {
  return { ok: false, code, status, detail, source };
}
