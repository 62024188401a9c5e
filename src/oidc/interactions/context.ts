import type Provider from 'oidc-provider';
import type { MappingRegistry } from '../../identity/mapping-registry.js';
import type { LoginEvents } from '../../observability/events.js';
import type { Pseudonymizer } from '../../observability/pseudonym.js';
import type { PageRenderer } from '../../pages/render.js';
import type { CertificateHandles } from '../certificate-handles.js';
import type { LoginRecords } from '../login-record.js';
import type { RememberedConsent } from '../remembered-consent.js';
import type { StepTokens } from '../step-tokens.js';

/** What every interaction step needs; built once at start. */
export interface InteractionDependencies {
  provider: Provider;
  pages: PageRenderer;
  handles: CertificateHandles;
  loginRecords: LoginRecords;
  consents: RememberedConsent;
  mapping: MappingRegistry;
  events: LoginEvents;
  pseudonyms: Pseudonymizer;
  /** Public URL of the certificate origin, e.g. https://localhost:8444. */
  certificateOrigin: string;
  /** The login page's proof, posted to the certificate step (step-tokens.ts). */
  stepTokens: StepTokens;
}

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;
