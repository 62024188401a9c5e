import { z } from 'zod';

/**
 * Every setting of the server file, declared once with its default and why.
 * The claim-mapping file (profiles, claims, per-client release) has its own schema in
 * src/identity/mapping-file.ts because it reloads live; this one is read once at start.
 */

const port = z.number().int().min(0).max(65535);
const absoluteUrl = z.string().url();

const listenerSchema = z
  .object({
    /** Interface to bind. Loopback by default: exposing the IdP is a deliberate act. */
    host: z.string().default('127.0.0.1'),
    port,
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

const tlsVersion = z.enum(['TLSv1.2', 'TLSv1.3']);

export const serverConfigSchema = z
  .object({
    /** The OIDC issuer: the public URL of the OIDC origin. */
    issuer: absoluteUrl.default('https://localhost:8443'),
    /**
     * Public URL of the certificate origin. A separate origin (host or port) so that the
     * browser asks for a certificate only there.
     */
    certificateOrigin: absoluteUrl.default('https://localhost:8444'),
    listen: z
      .object({
        oidc: listenerSchema.default({ port: 8443 }),
        certificate: listenerSchema.default({ port: 8444 }),
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
    store: z
      .object({
        kind: z.enum(['memory', 'redis']).default('memory'),
        url: z.string().optional(),
      })
      .strict()
      .default({}),
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
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
      })
      .strict()
      .default({}),
  })
  .strict();

export type ServerConfig = z.infer<typeof serverConfigSchema>;
