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
import { PageRenderer } from '../pages/render.js';
import { decideCertificate } from '../pki/decision.js';
import type { TrustStore } from '../pki/trust-store.js';
import type { KeyValueStore } from '../store/contract.js';
import { createCertificateApp } from './certificate-app.js';
import { bindHttps, type Listener } from './listeners.js';
import { createOidcApp } from './oidc-app.js';
import { certificateOriginTlsOptions, oidcOriginTlsOptions, type ServerKeyPair } from './tls-options.js';

/** Everything the IdP needs, resolved: files read, secrets loaded, defaults applied. */
export interface IdpSettings {
  /** Public URLs; when omitted, https://localhost:<bound port> (tests bind port 0). */
  issuer?: string;
  certificateOrigin?: string;
  listen: {
    oidc: { host: string; port: number };
    certificate: { host: string; port: number };
  };
  serverKeyPair: ServerKeyPair;
  certificateOriginTls: { minVersion: 'TLSv1.2' | 'TLSv1.3'; maxVersion: 'TLSv1.2' | 'TLSv1.3' };
  trustStore: TrustStore;
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
}

export interface RunningIdp {
  issuer: string;
  certificateOrigin: string;
  provider: Provider;
  events: LoginEvents;
  close(): Promise<void>;
}

/** Binds both origins, assembles the layers and starts serving. */
export async function startIdp(settings: IdpSettings): Promise<RunningIdp> {
  const { logger, store } = settings;
  const listeners: Listener[] = [];
  try {
    const oidcListener = await bindHttps({
      tls: oidcOriginTlsOptions(settings.serverKeyPair),
      ...settings.listen.oidc,
      logger,
      name: 'oidc',
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
    });
    listeners.push(certificateListener);

    const issuer = settings.issuer ?? `https://localhost:${oidcListener.port}`;
    const certificateOrigin =
      settings.certificateOrigin ?? `https://localhost:${certificateListener.port}`;

    const subjects = new SubjectDerivation(settings.subjectKey);
    const pseudonyms = new Pseudonymizer(settings.subjectKey);
    const pages = new PageRenderer({ assetOrigin: issuer });
    const events = new LoginEvents(logger);
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
        },
      }),
    );
    certificateListener.serve(
      createCertificateApp({
        provider,
        issuer,
        pages,
        handles,
        subjects,
        events,
        pseudonyms,
        logger,
        decide: (chain) =>
          decideCertificate(chain, {
            trustStore: settings.trustStore,
            profiles: settings.mapping.current.profiles,
          }),
      }),
    );

    return {
      issuer,
      certificateOrigin,
      provider,
      events,
      close: async () => {
        await Promise.all(listeners.map((listener) => listener.close()));
      },
    };
  } catch (error) {
    await Promise.all(listeners.map((listener) => listener.close()));
    throw error;
  }
}
