import type { ClientMetadata } from 'oidc-provider';
import type Provider from 'oidc-provider';
import type { MappingRegistry } from '../identity/mapping-registry.js';
import { LoginEvents } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';
import { Pseudonymizer } from '../observability/pseudonym.js';
import { CertificateHandles } from '../oidc/certificate-handles.js';
import { LoginRecords } from '../oidc/login-record.js';
import { RememberedConsent } from '../oidc/remembered-consent.js';
import { createProvider } from '../oidc/provider.js';
import type { PrivateJwks } from '../oidc/signing-keys.js';
import { SubjectDerivation } from '../oidc/subject.js';
import { StepTokens } from '../oidc/step-tokens.js';
import { PageRenderer } from '../pages/render.js';
import { decideCertificate, type CertificateDecision } from '../pki/decision.js';
import type { TrustStore } from '../pki/trust-store.js';
import { RevocationChecker } from '../pki/revocation/checker.js';
import type { RevocationSettings } from '../pki/revocation/settings.js';
import type { KeyValueStore } from '../store/contract.js';
import { IdpMetrics, secondsSince } from '../observability/metrics.js';
import { createHash } from 'node:crypto';
import { adminEnabled, type AdminSettings } from '../admin/index.js';
import type { CardProfile } from '../identity/profile.js';
import { createCertificateApp } from './certificate-app.js';
import {
  certificateProxy,
  clientCertificateChain,
  type CertificateProxySettings,
} from './client-certificate.js';
import { bindHttps, type Listener } from './listeners.js';
import type { RateLimitSettings } from './rate-limit.js';
import { createOidcApp } from './oidc-app.js';
import { certificateOriginTlsOptions, oidcOriginTlsOptions, type ServerKeyPair } from './tls-options.js';

/** Everything the IdP needs, resolved: files read, secrets loaded, defaults applied. */
export interface IdpSettings {
  /** Public URLs; when omitted, https://localhost:<bound port> (tests bind port 0). */
  issuer?: string;
  certificateOrigin?: string;
  listen: {
    oidc: { host: string; port: number; protocol?: 'https' | 'http' };
    certificate: { host: string; port: number; protocol?: 'https' | 'http' };
  };
  /** Reverse proxy in front (docs/operations/proxy.md); none trusted when omitted. */
  proxy?: CertificateProxySettings;
  /** Prometheus metrics of this instance; a fresh registry when omitted. */
  metrics?: IdpMetrics;
  serverKeyPair: ServerKeyPair;
  certificateOriginTls: { minVersion: 'TLSv1.2' | 'TLSv1.3'; maxVersion: 'TLSv1.2' | 'TLSv1.3' };
  trustStore: TrustStore;
  /** OCSP/CRL checking (docs/revocation.md); omitted, every decision says `not_checked`. */
  revocation?: RevocationSettings;
  /** The claim mapping in force (card profiles and per-client release); reloads live. */
  mapping: MappingRegistry;
  clients: ClientMetadata[];
  jwks: PrivateJwks;
  /** Key of account ids, pairwise subjects and log pseudonyms. */
  subjectKey: Buffer;
  cookieKeys: string[];
  store: KeyValueStore;
  logger: Logger;
  login: {
    interactionTtlSeconds: number;
    handleTtlSeconds: number;
    sessionTtlSeconds: number;
    grantTtlSeconds: number;
    requirePkceForConfidentialClients: boolean;
  };
  /**
   * Requests per client address on the certificate origin (rate-limit.ts). The command line
   * always passes the configured limit (on by default); omitted, nothing is limited, which is
   * what most tests, all from one loopback address, need.
   */
  rateLimit?: RateLimitSettings;
  /** Ways into /admin on the certificate origin; without any, /admin is a 404. */
  admin?: AdminSettings;
}

export interface RunningIdp {
  issuer: string;
  certificateOrigin: string;
  provider: Provider;
  events: LoginEvents;
  metrics: IdpMetrics;
  /** The ports actually bound (port 0 asks the system for one). */
  ports: { oidc: number; certificate: number };
  close(): Promise<void>;
}

/** Binds both origins, assembles the layers and starts serving. */
export async function startIdp(settings: IdpSettings): Promise<RunningIdp> {
  const { logger, store } = settings;
  const metrics = settings.metrics ?? new IdpMetrics();
  const proxy = certificateProxy(settings.proxy, logger);
  const listeners: Listener[] = [];
  try {
    const oidcListener = await bindHttps({
      tls: oidcOriginTlsOptions(settings.serverKeyPair),
      ...settings.listen.oidc,
      logger,
      name: 'oidc',
      protocol: settings.listen.oidc.protocol,
    });
    listeners.push(oidcListener);
    const certificateListener = await bindHttps({
      tls: certificateOriginTlsOptions({
        serverKeyPair: settings.serverKeyPair,
        caHintPems: settings.trustStore.anchorPems(),
        ...settings.certificateOriginTls,
      }),
      ...settings.listen.certificate,
      logger,
      name: 'certificate',
      protocol: settings.listen.certificate.protocol,
      // Node's 16 KiB default head would cut a forwarded chain before our own, clearer limit.
      maxHeaderSize: proxy.format ? proxy.maxHeaderBytes + 16384 : undefined,
    });
    listeners.push(certificateListener);

    const issuer = settings.issuer ?? `https://localhost:${oidcListener.port}`;
    const certificateOrigin =
      settings.certificateOrigin ?? `https://localhost:${certificateListener.port}`;

    const subjects = new SubjectDerivation(settings.subjectKey);
    const pseudonyms = new Pseudonymizer(settings.subjectKey);
    // Derived from the shared subject key, so a token from one instance's login page is
    // accepted by the certificate step on any other.
    const stepTokens = new StepTokens(settings.subjectKey);
    const pages = new PageRenderer({ assetOrigin: issuer });
    const events = new LoginEvents(logger);
    const revocation = settings.revocation
      ? new RevocationChecker({
          settings: settings.revocation,
          store,
          logger,
          observer: {
            responderAnswered: (seconds, outcome) => metrics.observeOcsp(seconds, outcome),
            cacheLookup: (cache, hit) => metrics.countCacheLookup(cache, hit),
          },
        })
      : undefined;
    metrics.recordLoginEvents(events);
    const loginRecords = new LoginRecords(store, settings.login.sessionTtlSeconds);
    const handles = new CertificateHandles(store, settings.login.handleTtlSeconds);
    const consents = new RememberedConsent(store, settings.login.grantTtlSeconds);
    const provider = createProvider({
      issuer,
      store,
      jwks: settings.jwks,
      cookieKeys: settings.cookieKeys,
      clients: settings.clients,
      subjects,
      loginRecords,
      consents,
      mapping: settings.mapping,
      pages,
      logger,
      ttl: {
        interactionSeconds: settings.login.interactionTtlSeconds,
        sessionSeconds: settings.login.sessionTtlSeconds,
        grantSeconds: settings.login.grantTtlSeconds,
      },
      requirePkceForConfidentialClients: settings.login.requirePkceForConfidentialClients,
    });

    oidcListener.serve(
      createOidcApp({
        provider,
        store,
        logger,
        issuer,
        cookieKeys: settings.cookieKeys,
        certificateProxy: proxy,
        interactions: {
          provider,
          pages,
          handles,
          loginRecords,
          consents,
          mapping: settings.mapping,
          events,
          pseudonyms,
          certificateOrigin,
          stepTokens,
        },
      }),
    );
    // One decision function for the certificate route and the admin preview.
    const decide = async (
      chain: Uint8Array[],
      profiles?: readonly CardProfile[],
    ): Promise<CertificateDecision> => {
      const started = process.hrtime.bigint();
      try {
        const decision = await decideCertificate(chain, {
          trustStore: settings.trustStore,
          profiles: profiles ?? settings.mapping.current.profiles,
          revocation,
        });
        metrics.observeCertificateValidation(secondsSince(started), decision.ok ? 'accepted' : 'refused');
        return decision;
      } catch (error) {
        metrics.observeCertificateValidation(secondsSince(started), 'error');
        throw error;
      }
    };
    certificateListener.serve(
      createCertificateApp({
        provider,
        issuer,
        pages,
        handles,
        subjects,
        events,
        pseudonyms,
        stepTokens,
        logger,
        rateLimit: settings.rateLimit,
        mapping: settings.mapping,
        certificateProxy: proxy,
        admin: adminEnabled(settings.admin)
          ? {
              settings: settings.admin,
              pages,
              provider,
              mapping: settings.mapping,
              subjects,
              clients: settings.clients,
              certificateOrigin,
              csrfSecret: settings.subjectKey,
              logger,
              decide,
              leafSha256Of: (ctx) => {
                const presented = clientCertificateChain(ctx, proxy);
                const leaf = presented.ok ? presented.chain[0] : undefined;
                return leaf && createHash('sha256').update(leaf).digest('hex');
              },
            }
          : undefined,
        decide,
      }),
    );

    return {
      issuer,
      certificateOrigin,
      provider,
      events,
      metrics,
      ports: { oidc: oidcListener.port, certificate: certificateListener.port },
      close: async () => {
        await Promise.all(listeners.map((listener) => listener.close()));
        await revocation?.close();
      },
    };
  } catch (error) {
    await Promise.all(listeners.map((listener) => listener.close()));
    throw error;
  }
}
