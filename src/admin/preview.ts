import type Provider from 'oidc-provider';
import type { ClientMetadata } from 'oidc-provider';
import type { MappingRegistry } from '../identity/mapping-registry.js';
import type { CardProfile } from '../identity/profile.js';
import type { NameAttribute } from '../identity/types.js';
import { releasedClaims, releaseSnapshot, scopesOfClient } from '../oidc/claims-release.js';
import { buildLoginRecord } from '../oidc/login-record.js';
import type { SubjectDerivation } from '../oidc/subject.js';
import { ParsedCertificate } from '../pki/certificate.js';
import type { CertificateDecision } from '../pki/decision.js';

/**
 * The certificate preview: the same decision function as the certificate route, then, per
 * configured client, the claims the provider would release (claims-release.ts) with every
 * scope the client may ask for, or the scopes the administrator chose.
 */

export interface PreviewDependencies {
  provider: Provider;
  /** The certificate route's decision function, with one mapping snapshot's profiles. */
  decide: (chain: Uint8Array[], profiles?: readonly CardProfile[]) => Promise<CertificateDecision>;
  mapping: MappingRegistry;
  subjects: SubjectDerivation;
  clients: readonly ClientMetadata[];
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serial_number: string;
  not_before: string;
  not_after: string;
  sha256: string;
}

export interface ClientPreview {
  client_id: string;
  client_name: string | undefined;
  subject_type: string;
  /** The scopes the preview assumed were requested and consented to. */
  scope: string;
  /** The mapping's restriction for this client; null when it restricts nothing. */
  restricted_to: string[] | null;
  /** The ID token's claims about the person (userinfo answers the same). */
  claims: Record<string, unknown>;
}

export interface PreviewResult {
  certificate: CertificateSummary;
  decision:
    | { accepted: true; profile: string; acr: string; amr: string[]; checks: CheckView[] }
    | { accepted: false; code: string; detail: string; checks: CheckView[] };
  clients: ClientPreview[];
}

interface CheckView {
  name: string;
  ok: boolean;
  detail?: string | undefined;
}

/**
 * Previews a parsed chain (leaf first). `scope`, when given, replaces each client's full set
 * of scopes (intersected with what the client may ask for).
 */
export async function previewCertificate(
  chain: Uint8Array[],
  deps: PreviewDependencies,
  options: { scope?: string | undefined } = {},
): Promise<PreviewResult> {
  const certificate = summarise(ParsedCertificate.fromDer(chain[0]!));
  const mapping = deps.mapping.current;
  const decision = await deps.decide(chain, mapping.profiles);
  const checks = decision.checks.map(({ name, ok, detail }) => ({ name, ok, detail }));
  if (!decision.ok) {
    return {
      certificate,
      decision: { accepted: false, code: decision.code, detail: decision.detail, checks },
      clients: [],
    };
  }

  const clients: ClientPreview[] = [];
  for (const metadata of deps.clients) {
    const client = await deps.provider.Client.find(metadata.client_id);
    if (!client) continue;
    const record = buildLoginRecord(decision, deps.subjects);
    record.release = releaseSnapshot(mapping, client.clientId);
    const allowed = scopesOfClient(client);
    const scope = (options.scope ? options.scope.split(/\s+/) : allowed)
      .filter((name) => (allowed as string[]).includes(name))
      .join(' ');
    // LIMITATION: the person's consent, which a real login also needs, is assumed given.
    const released = await releasedClaims(deps.provider, client, record, mapping, { scope });
    clients.push({
      client_id: client.clientId,
      client_name: client.clientName,
      subject_type: String(client.subjectType ?? 'public'),
      scope,
      restricted_to: record.release.claims ?? null,
      // acr and amr come from the login itself, not from the account's claims.
      claims: { ...released, acr: record.acr, amr: record.amr },
    });
  }
  return {
    certificate,
    decision: {
      accepted: true,
      profile: decision.identity.profile,
      acr: decision.identity.acr,
      amr: decision.identity.amr,
      checks,
    },
    clients,
  };
}

function summarise(leaf: ParsedCertificate): CertificateSummary {
  const facts = leaf.facts();
  return {
    subject: distinguishedName(facts.subject),
    issuer: distinguishedName(facts.issuer),
    serial_number: facts.serialNumber,
    not_before: facts.notBefore.toISOString(),
    not_after: facts.notAfter.toISOString(),
    sha256: leaf.sha256,
  };
}

function distinguishedName(attributes: readonly NameAttribute[]): string {
  return attributes
    .map((attribute) => `${attribute.name ?? attribute.oid}=${attribute.value}`)
    .join(', ');
}
