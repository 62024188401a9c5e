import { z } from 'zod';
import { parseCidr } from './cidr.js';

/**
 * Every setting of the server file, declared once with its default and why.
 * The claim-mapping file (profiles, claims, per-client release) has its own schema in
 * src/identity/mapping-file.ts because it reloads live; this one is read once at start.
 */

const port = z.number().int().min(0).max(65535);
const absoluteUrl = z.string().url();
/**
 * The public URLs of both origins. OpenID Connect requires an https issuer, and the browser
 * presents a card only over TLS; behind a TLS-terminating proxy they are still the proxy's
 * https URLs.
 */
const publicHttpsUrl = absoluteUrl.refine((value) => value.startsWith('https://'), {
  message: 'must be an https:// URL (the public address, also behind a TLS-terminating proxy)',
});

const listenerSchema = z
  .object({
    /** Interface to bind. Loopback by default: exposing the IdP is a deliberate act. */
    host: z.string().default('127.0.0.1'),
    port,
    /**
     * `https` (default): the IdP terminates TLS itself. `http`: plain HTTP, only behind a
     * TLS-terminating reverse proxy listed in proxy.trustedProxies (docs/operations/proxy.md);
     * bind it to loopback or a private network the proxy alone reaches.
     */
    protocol: z.enum(['https', 'http']).default('https'),
  })
  .strict();

const clientSchema = z
  .object({
    client_id: z.string().min(1),
    /** Literal secret (tests, demos) or, better, a file holding it. */
    client_secret: z.string().min(32, 'must be at least 32 characters').optional(),
    client_secret_file: z.string().optional(),
    client_name: z.string().optional(),
    redirect_uris: z.array(absoluteUrl).min(1),
    post_logout_redirect_uris: z.array(absoluteUrl).default([]),
    token_endpoint_auth_method: z
      .enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'])
      .default('client_secret_basic'),
    /** pairwise (default, DESIGN.md) or public: the account id as `sub`. */
    subject_type: z.enum(['pairwise', 'public']).default('pairwise'),
    /** Needed for pairwise subjects when redirect URIs span several hosts. */
    sector_identifier_uri: absoluteUrl.optional(),
    scope: z.string().optional(),
    jwks_uri: absoluteUrl.optional(),
  })
  .strict()
  .superRefine((client, ctx) => {
    const isPublic = client.token_endpoint_auth_method === 'none';
    const hasSecret = client.client_secret !== undefined || client.client_secret_file !== undefined;
    if (!isPublic && client.token_endpoint_auth_method.startsWith('client_secret') && !hasSecret) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['client_secret'],
        message: 'a confidential client needs client_secret or client_secret_file',
      });
    }
    if (isPublic && hasSecret) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['client_secret'],
        message: 'a public client (token_endpoint_auth_method: none) must not have a secret',
      });
    }
  });

export type ClientSetting = z.infer<typeof clientSchema>;

const revocationMethod = z.enum(['ocsp', 'crl']);
/** hard: no answer refuses the login (503); soft: the login proceeds, marked `soft_fail`. */
const failurePolicy = z.enum(['hard', 'soft']);

/**
 * Certificate revocation (docs/revocation.md). OCSP first, the CRL as fallback, by default;
 * a profile may choose its own order and failure policy (e.g. DNIe: OCSP only, hard).
 */
export const revocationSchema = z
  .object({
    /** Methods tried in order until one answers; [] disables revocation checking. */
    methods: z.array(revocationMethod).max(2).default(['ocsp', 'crl']),
    /** When no method answers: hard refuses (secure default), soft lets the login through. */
    onFailure: failurePolicy.default('hard'),
    /** leaf: the citizen's certificate only; chain: every certificate below the anchor. */
    scope: z.enum(['leaf', 'chain']).default('leaf'),
    /** Tolerated difference between our clock and the responder's, both ways. */
    clockSkewSeconds: z.number().int().min(0).max(3600).default(300),
    ocsp: z
      .object({
        /** Send a nonce (RFC 8954); off by default: national responders pre-sign answers. */
        nonce: z.boolean().default(false),
        connectTimeoutMs: z.number().int().min(100).max(60_000).default(2000),
        /** Time to the response headers and between body chunks. */
        readTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
        /** Whole exchange, per responder tried. */
        totalTimeoutMs: z.number().int().min(100).max(120_000).default(5000),
        maxResponseBytes: z.number().int().min(1024).max(10_485_760).default(65_536),
        /** Cached until nextUpdate, but never longer than this. */
        cacheMaxAgeSeconds: z.number().int().min(1).max(7 * 86_400).default(3600),
        /** A response without nextUpdate is trusted this long after its thisUpdate. */
        maxAgeWithoutNextUpdateSeconds: z.number().int().min(1).max(86_400).default(300),
        /**
         * After a responder times out or refuses the connection, it is skipped this long, so
         * that an outage costs one login the timeout, not every login. 0 disables.
         */
        responderBackoffSeconds: z.number().int().min(0).max(3600).default(30),
      })
      .strict()
      .default({}),
    crl: z
      .object({
        connectTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
        readTimeoutMs: z.number().int().min(100).max(300_000).default(15_000),
        totalTimeoutMs: z.number().int().min(1000).max(1_800_000).default(120_000),
        /** Largest CRL downloaded; national CRLs reach tens of MB. */
        maxBytes: z.number().int().min(1024).max(1_073_741_824).default(104_857_600),
        /** Heap limit of the worker thread that parses a CRL. */
        workerHeapMb: z.number().int().min(32).max(8192).default(256),
        /** Download the next CRL this long before the current one expires. */
        refreshAheadSeconds: z.number().int().min(0).max(86_400).default(900),
        /** A login whose CRL is not loaded yet waits this long, then counts as unavailable. */
        firstLoadWaitMs: z.number().int().min(0).max(120_000).default(3000),
        /** A CRL without nextUpdate is trusted this long after its thisUpdate. */
        maxAgeWithoutNextUpdateSeconds: z.number().int().min(60).max(30 * 86_400).default(86_400),
      })
      .strict()
      .default({}),
    /** Per issuing CA, identified by the SHA-256 of its SubjectPublicKeyInfo (hex). */
    issuers: z
      .array(
        z
          .object({
            spkiSha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits'),
            /** Used instead of the certificate's AIA OCSP URL. */
            ocspUrl: absoluteUrl.optional(),
            /** Tried, in order, when the first responder fails. */
            ocspFallbackUrls: z.array(absoluteUrl).default([]),
            /** Used instead of the certificate's CRL distribution points. */
            crlUrls: z.array(absoluteUrl).default([]),
          })
          .strict(),
      )
      .default([]),
    /** Per card profile (es-dnie, ee-esteid…): its own methods and failure policy. */
    profiles: z
      .record(
        z.string(),
        z
          .object({ methods: z.array(revocationMethod).max(2).optional(), onFailure: failurePolicy.optional() })
          .strict(),
      )
      .default({}),
  })
  .strict();

export type RevocationConfig = z.infer<typeof revocationSchema>;

const tlsVersion = z.enum(['TLSv1.2', 'TLSv1.3']);

/** `host:port`, `[ipv6]:port`: how Sentinel and Cluster nodes are listed. */
const hostAndPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'must be host:port, e.g. redis-1:6379');

/**
 * Where shared state lives (docs/operations/redis.md). `memory`: this process only, the
 * embedded default. `redis`: every instance shares one Redis, reached in exactly one of three
 * ways: `url` (standalone), `sentinel` (failover through Sentinel) or `cluster`.
 */
const storeSchema = z
  .object({
    kind: z.enum(['memory', 'redis']).default('memory'),
    /** Standalone Redis: `redis://[user[:password]@]host:port[/db]`, `rediss://` for TLS. */
    url: z
      .string()
      .regex(/^rediss?:\/\/[^\s]+$/, 'must be a redis:// or rediss:// URL')
      .optional(),
    sentinel: z
      .object({
        /** The name the sentinels know the master by (`sentinel monitor <name> …`). */
        masterName: z.string().min(1),
        sentinels: z.array(hostAndPort).min(1),
        /** Password of the sentinels themselves, when they require one (a file, 0600). */
        sentinelPasswordFile: z.string().optional(),
      })
      .strict()
      .optional(),
    cluster: z
      .object({
        /** Some nodes of the cluster; the client discovers the rest from them. */
        nodes: z.array(hostAndPort).min(1),
      })
      .strict()
      .optional(),
    /** ACL user, for Sentinel and Cluster (a standalone URL carries its own). */
    username: z.string().optional(),
    /** Password of the Redis servers, read from a file (0600) so it never sits in the YAML. */
    passwordFile: z.string().optional(),
    tls: z
      .object({
        /** TLS to the Redis servers; implied by a rediss:// URL. */
        enabled: z.boolean().default(false),
        /** CA of the Redis servers' certificates, when not a public one. */
        caFile: z.string().optional(),
      })
      .strict()
      .default({}),
    /**
     * Put before every key, so that several deployments (or test runs) can share one Redis.
     * No braces: a `{…}` in the prefix would be a Cluster hash tag and put every key in one slot.
     */
    keyPrefix: z
      .string()
      .regex(/^[^{}\s]*$/, 'must not contain braces or spaces (braces are Cluster hash tags)')
      .default('eid-idp:'),
    /**
     * Fail fast: a login waiting on a Redis that is gone helps nobody. 1 s to connect and
     * 500 ms per command by default, so a request fails with the 503 page well under a second
     * after Redis stops answering.
     */
    connectTimeoutMs: z.number().int().min(50).max(60_000).default(1000),
    commandTimeoutMs: z.number().int().min(50).max(60_000).default(500),
  })
  .strict()
  .superRefine((store, ctx) => {
    const ways = (['url', 'sentinel', 'cluster'] as const).filter((way) => store[way] !== undefined);
    if (store.kind === 'redis' && ways.length !== 1) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ways.length === 0 ? ['url'] : [ways[1]!],
        message:
          ways.length === 0
            ? 'store.kind redis needs one of url, sentinel or cluster'
            : `set only one of url, sentinel or cluster (found ${ways.join(', ')})`,
      });
    }
    if (store.kind === 'memory' && ways.length > 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['kind'],
        message: `store.${ways[0]} is set but store.kind is memory; set kind: redis to use it`,
      });
    }
  });

export type StoreSetting = z.infer<typeof storeSchema>;

/** An IPv4/IPv6 address or CIDR (`10.0.0.0/8`, `::1`). */
const cidr = z.string().refine((value) => parseCidr(value) !== undefined, 'must be an IP address or CIDR, e.g. 10.0.0.0/8');

/**
 * A reverse proxy in front of the IdP (docs/operations/proxy.md). Nothing a proxy forwards
 * is believed unless the TCP peer is in `trustedProxies`.
 */
const proxySchema = z
  .object({
    /** Addresses or CIDRs of the proxies. Empty (default): no proxy is trusted. */
    trustedProxies: z.array(cidr).default([]),
    /**
     * Certificate origin behind a proxy that terminates mutual TLS: how it forwards the
     * client certificate. Honoured only from trustedProxies, only on the certificate route.
     */
    certificateHeader: z
      .object({
        format: z.enum(['nginx', 'envoy', 'traefik', 'rfc9440', 'aws-alb']),
        /**
         * Header name. Defaults: nginx X-SSL-Client-Cert, envoy X-Forwarded-Client-Cert,
         * traefik X-Forwarded-Tls-Client-Cert, rfc9440 Client-Cert (+ Client-Cert-Chain),
         * aws-alb X-Amzn-Mtls-Clientcert.
         */
        name: z
          .string()
          .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name')
          .optional(),
      })
      .strict()
      .optional(),
    /**
     * Largest forwarded certificate header accepted (all its headers together), in bytes.
     * 16 KiB holds a URL-encoded PEM chain of three RSA-4096 certificates; larger is refused
     * with PROXY_HEADER_TOO_LARGE.
     */
    maxHeaderBytes: z.number().int().min(2048).max(65536).default(16384),
  })
  .strict()
  .default({});

/**
 * Prometheus metrics (docs/operations/metrics.md), on a listener of their own, plain HTTP,
 * loopback by default, never on the public origins. Off when `listen` is unset.
 */
const metricsSchema = z
  .object({
    listen: z.object({ host: z.string().default('127.0.0.1'), port }).strict().optional(),
    /** When set, /metrics wants `Authorization: Bearer <the file's content>`. */
    tokenFile: z.string().optional(),
  })
  .strict()
  .default({});

export const serverConfigSchema = z
  .object({
    /** The OIDC issuer: the public URL of the OIDC origin. */
    issuer: publicHttpsUrl.default('https://localhost:8443'),
    /**
     * Public URL of the certificate origin. A separate origin (host or port) so that the
     * browser asks for a certificate only there.
     */
    certificateOrigin: publicHttpsUrl.default('https://localhost:8444'),
    listen: z
      .object({
        // Default ports per origin, also when only the host or protocol is set (EID_IDP_HOST).
        oidc: listenerSchema.extend({ port: port.default(8443) }).default({}),
        certificate: listenerSchema.extend({ port: port.default(8444) }).default({}),
      })
      .strict()
      .default({}),
    /** Where generated keys, the dev TLS certificate and the demo PKI live; outside git. */
    dataDir: z.string().default('.eid-idp'),
    tls: z
      .object({
        /** Server certificate and key (PEM). Generated in dataDir for development when unset. */
        certFile: z.string().optional(),
        keyFile: z.string().optional(),
        /**
         * Highest TLS version on the certificate origin. TLS 1.2 by default: DNIe and older
         * Belgian cards cannot sign RSA-PSS, which TLS 1.3 client authentication requires,
         * and browsers offered 1.3 take it and fail instead of falling back.
         */
        certificateOriginMaxVersion: tlsVersion.default('TLSv1.2'),
        certificateOriginMinVersion: tlsVersion.default('TLSv1.2'),
      })
      .strict()
      .default({}),
    trust: z
      .object({
        /** Directories with a trust.yaml manifest (anchors pinned by key, intermediates). */
        directories: z.array(z.string()).default([]),
      })
      .strict()
      .default({}),
    clients: z.array(clientSchema).default([]),
    claimMapping: z
      .object({
        /**
         * The administrator's claim-mapping file (docs/claim-mapping.md). Reloaded when it
         * changes or on SIGHUP; a broken edit is refused and the last good one stays.
         */
        file: z.string().optional(),
      })
      .strict()
      .default({}),
    secrets: z
      .object({
        /**
         * Key of the keyed hashes: account id, pairwise `sub`, log pseudonyms. Changing it
         * changes every `sub`. A file (mode 0600) generated in dataDir when unset.
         */
        subjectKeyFile: z.string().optional(),
        /** Cookie signing keys, newest first (file with one key per line). */
        cookieKeysFile: z.string().optional(),
        /** Signing keys as a private JWKS (file). Generated in dataDir when unset. */
        signingKeysFile: z.string().optional(),
      })
      .strict()
      .default({}),
    store: storeSchema.default({}),
    login: z
      .object({
        /** How long the person has, from authorize, to find their card and finish. */
        interactionTtlSeconds: z.number().int().min(60).max(3600).default(600),
        /** The certificate result handle is redeemed within seconds of the handshake. */
        handleTtlSeconds: z.number().int().min(5).max(300).default(60),
        sessionTtlSeconds: z.number().int().min(60).default(8 * 3600),
        grantTtlSeconds: z.number().int().min(60).default(365 * 24 * 3600),
        /**
         * PKCE for confidential clients too (public clients always need it). On by default,
         * as OAuth 2.0 Security BCP recommends.
         */
        requirePkceForConfidentialClients: z.boolean().default(true),
      })
      .strict()
      .default({}),
    demo: z
      .object({
        /** Generate the demo citizen PKI and register the demo relying party. */
        enabled: z.boolean().default(true),
        relyingPartyUrl: absoluteUrl.default('http://localhost:3000'),
      })
      .strict()
      .default({}),
    rateLimit: z
      .object({
        /**
         * Requests per client address to the certificate origin (src/server/rate-limit.ts):
         * each one costs a handshake with a client certificate and a chain validation. Counted
         * per process. 60 a minute leaves room for many citizens behind one NAT address while
         * bounding what one address can make this process do.
         */
        certificateRoute: z
          .object({
            enabled: z.boolean().default(true),
            maxRequests: z.number().int().min(1).max(1_000_000).default(60),
            windowSeconds: z.number().int().min(1).max(3600).default(60),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    /**
     * The admin page and API at /admin on the certificate origin (docs/admin.md). Off unless
     * at least one way in is configured: never open by default.
     */
    admin: z
      .object({
        /**
         * SHA-256 fingerprints of the administrators' client certificates (hex, colons and
         * case ignored), presented in the TLS handshake of the certificate origin.
         */
        certificateFingerprints: z
          .array(
            z
              .string()
              .transform((value) => value.replace(/:/g, '').toLowerCase())
              .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 fingerprint (64 hex digits)')),
          )
          .default([]),
        /** A file (mode 0600) holding the bearer token of the admin API, 32+ characters. */
        tokenFile: z.string().optional(),
      })
      .strict()
      .default({}),
    proxy: proxySchema,
    metrics: metricsSchema,
    shutdown: z
      .object({
        /**
         * On SIGTERM the listeners stop accepting and requests in flight are finished; after
         * this many seconds the remaining connections are cut. Below the orchestrator's
         * kill timeout (Docker: 10 s by default; compose sets stop_grace_period).
         */
        graceSeconds: z.number().int().min(1).max(300).default(20),
      })
      .strict()
      .default({}),
    revocation: revocationSchema.default({}),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
      })
      .strict()
      .default({}),
  })
  .strict();

export type ServerConfig = z.infer<typeof serverConfigSchema>;
