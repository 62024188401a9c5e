import type { Logger } from './logger.js';

/**
 * Login outcomes as named domain events, logged in this one place. Fields hold pseudonyms
 * (keyed hashes) and codes, never names, identifiers, certificates, handles or tokens.
 */
export type LoginEvent =
  | {
      name: 'certificate.accepted';
      interaction: string;
      profile: string;
      account: string;
      certificate: string;
      /** `proxy:<format>` when a trusted proxy forwarded the certificate (client-certificate.ts). */
      source: 'tls' | 'proxy' | `proxy:${string}`;
    }
  | {
      name: 'certificate.refused';
      interaction: string;
      code: string;
      detail: string;
      certificate?: string;
      /** `proxy:<format>` when a trusted proxy forwarded the certificate (client-certificate.ts). */
      source: 'tls' | 'proxy' | `proxy:${string}`;
    }
  | { name: 'login.succeeded'; interaction: string; profile: string; account: string; client: string }
  | { name: 'login.failed'; interaction: string; code: string; detail: string }
  | { name: 'consent.given'; interaction: string; client: string; scopes: string[] }
  | { name: 'consent.refused'; interaction: string; client: string };

export type EventListener = (event: LoginEvent) => void;

export class LoginEvents {
  readonly #logger: Logger;
  readonly #listeners: EventListener[] = [];

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Metrics and tests subscribe here; logging is built in. */
  subscribe(listener: EventListener): void {
    this.#listeners.push(listener);
  }

  emit(event: LoginEvent, requestId?: string): void {
    const { name, ...fields } = event;
    const level = name.endsWith('refused') || name.endsWith('failed') ? 'warn' : 'info';
    this.#logger[level]({ event: name, requestId, ...fields }, name);
    for (const listener of this.#listeners) listener(event);
  }
}
