import { revocationSchema, type RevocationConfig } from '../../config/schema.js';

/** Revocation settings as the config schema declares them (defaults applied). */
export type RevocationSettings = RevocationConfig;
export type RevocationMethod = RevocationSettings['methods'][number];
export type FailurePolicy = RevocationSettings['onFailure'];
export type IssuerRevocationSettings = RevocationSettings['issuers'][number];

/** Complete settings from a partial object (tests, embedding): the schema's defaults fill in. */
export function revocationSettings(partial: unknown = {}): RevocationSettings {
  return revocationSchema.parse(partial);
}
