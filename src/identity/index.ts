/**
 * Public API of the identity layer: card profiles, national identifiers and the mapping of
 * a validated certificate to claims.
 */
export { mapIdentity, type IdentityContext } from './map-identity.js';
export type {
  CardProfile,
  ClaimDerivers,
  ClaimsResult,
  LeafRule,
  MatchContext,
  PartialClaims,
  RuleVerdict,
  TextDeriver,
  IdentifierDeriver,
} from './profile.js';
export { builtInProfiles } from './profiles/index.js';
export * from './profiles/index.js';
export {
  birthdateOf,
  parseNationalIdentifier,
  parseSemanticsIdentifier,
  validateNationalIdentifier,
  checkSpanishId,
  checkEstonianCode,
  estonianBirthdate,
  checkBelgianNumber,
  belgianBirthdate,
  checkLatvianCode,
  latvianBirthdate,
  checkFinnishSatu,
  type IdentifierResult,
  type LegacyIdentifierRule,
  type IdCheck,
} from './national-id.js';
export { attributeValue, attributeValues, attributeOid, ATTRIBUTE_OIDS } from './attributes.js';
export type * from './types.js';
export {
  allowedClaims,
  defaultMapping,
  loadMappingFile,
  parseMappingText,
  restrictClaims,
  type ClaimMapping,
} from './mapping-file.js';
export {
  MappingRegistry,
  type MappingRegistryOptions,
  type ReloadResult,
} from './mapping-registry.js';
export { RELEASABLE_CLAIMS, type ReleasableClaim } from './mapping-schema.js';
export { applyTransform, applyTransforms, type Transform } from './transforms.js';
