/**
 * The trust engine: certificates parsed once, the trust store, and path validation.
 * Everything other layers use is exported here by name.
 */
export { ParsedCertificate, type RawExtension } from './certificate.js';
export { loadAnchorManifest, type ManifestEntry } from './anchor-manifest.js';
export { EXT as EXTENSION } from './extensions.js';
export { formatName } from './names.js';
export { ANY_POLICY, type PolicyInputs } from './policy-tree.js';
export {
  TrustStore,
  type TrustAnchor,
  type TrustEnvironment,
  type TrustStoreInput,
} from './trust-store.js';
export {
  validatePath,
  type Check,
  type PathResult,
  type SearchEffort,
  type ValidatePathOptions,
} from './validate-path.js';
