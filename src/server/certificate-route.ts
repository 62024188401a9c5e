import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { RefusalCode } from '../errors.js';
import type { LoginEvents } from '../observability/events.js';
import type { Pseudonymizer } from '../observability/pseudonym.js';
import type { CertificateHandles } from '../oidc/certificate-handles.js';
import { buildLoginRecord } from '../oidc/login-record.js';
import { releaseSnapshot } from '../oidc/claims-release.js';
import type { MappingRegistry } from '../identity/mapping-registry.js';
import type { CardProfile } from '../identity/profile.js';
import type { SubjectDerivation } from '../oidc/subject.js';
import type { PageRenderer } from '../pages/render.js';
import { respondWithErrorPage } from '../pages/respond.js';
import type { CertificateDecision } from '../pki/decision.js';
import { clientCertificateChain, type CertificateProxy } from './client-certificate.js';

export interface CertificateRouteDependencies {
  provider: Provider;
  issuer: string;
  pages: PageRenderer;
  handles: CertificateHandles;
  subjects: SubjectDerivation;
  events: LoginEvents;
  pseudonyms: Pseudonymizer;
  /** With the card profiles of one mapping snapshot; the mapping in force when omitted. */
  decide: (chain: Uint8Array[], profiles?: readonly CardProfile[]) => Promise<CertificateDecision>;
  /** Where the certificate comes from: this TLS handshake, or a trusted proxy's header. */
  certificateProxy: CertificateProxy;
  /**
   * The claim mapping: one snapshot per login gives both the profiles that derive the claims
   * and the client's release rule, so a reload mid-login is seen wholly or not at all.
   */
  mapping?: MappingRegistry;
}

/** Refusals where choosing another certificate is the way out. */
const WRONG_CERTIFICATE_CODES = new Set<RefusalCode>([
  'CERT_MISSING',
  'CHAIN_UNTRUSTED',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_WRONG_USAGE',
  'CERT_SIGNATURE_ONLY',
  'CERT_POLICY_MISMATCH',
  'PROFILE_NOT_FOUND',
  'CERT_REVOKED',
]);

function statusOf(code: RefusalCode): number {
  if (code === 'REVOCATION_UNAVAILABLE') return 503;
  if (code === 'CERT_MALFORMED') return 400;
  return 403;
}

/**
 * GET /interaction/:uid/certificate on the certificate origin: the handshake has just
 * asked for the card's certificate. Validate and map it (one decision function), store the
 * result behind a one-time handle bound to this interaction, and send the browser back to
 * the OIDC origin. The connection closes after the answer so the next login makes a new
 * handshake.
 */
export function certificateRoutes(deps: CertificateRouteDependencies): Router {
  const router = new Router();
  router.get('/interaction/:uid/certificate', (ctx) => certificateStep(ctx, deps));
  return router;
}

async function certificateStep(ctx: Context, deps: CertificateRouteDependencies): Promise<void> {
  ctx.set('Connection', 'close');
  const uid = String(ctx.params.uid);
  const reference = String(ctx.state.requestId);
  const interaction = await deps.provider.Interaction.find(uid);
  if (!interaction) {
    respondWithErrorPage(ctx, deps.pages, {
      code: 'INTERACTION_NOT_FOUND',
      status: 410,
      reference,
    });
    return;
  }

  ctx.state.certificateRoute = true;
  const presented = clientCertificateChain(ctx, deps.certificateProxy);
  if (!presented.ok) {
    deps.events.emit(
      { name: 'certificate.refused', interaction: uid, code: presented.code, detail: presented.detail, source: presented.source },
      reference,
    );
    respondWithErrorPage(ctx, deps.pages, {
      code: presented.code,
      status: presented.status,
      reference,
      retryUrl: `${deps.issuer}/interaction/${uid}`,
    });
    return;
  }
  const chain = presented.chain;
  const mapping = deps.mapping?.current;
  const decision = await deps.decide(chain, mapping?.profiles);
  if (!decision.ok) {
    deps.events.emit(
      {
        name: 'certificate.refused',
        interaction: uid,
        code: decision.code,
        detail: decision.detail,
        certificate: decision.leafSha256 && deps.pseudonyms.of('cert', decision.leafSha256),
        source: presented.source,
      },
      reference,
    );
    respondWithErrorPage(ctx, deps.pages, {
      code: decision.code,
      status: statusOf(decision.code),
      reference,
      retryUrl: `${deps.issuer}/interaction/${uid}`,
      chooseAgain: WRONG_CERTIFICATE_CODES.has(decision.code),
    });
    return;
  }

  const record = buildLoginRecord(decision, deps.subjects);
  if (mapping) {
    const interactionEndsAt = interaction.exp ? interaction.exp * 1000 : Date.now();
    record.release = releaseSnapshot(mapping, String(interaction.params.client_id), interactionEndsAt);
  }
  const handle = await deps.handles.issue(uid, record);
  deps.events.emit(
    {
      name: 'certificate.accepted',
      interaction: uid,
      profile: record.profile,
      account: deps.pseudonyms.of('account', record.accountId),
      certificate: deps.pseudonyms.of('cert', decision.leaf.sha256),
      source: presented.source,
    },
    reference,
  );
  ctx.set('Referrer-Policy', 'no-referrer');
  // The redirect carries the one-time handle: no cache may keep it.
  ctx.set('Cache-Control', 'no-store');
  ctx.status = 303;
  ctx.redirect(`${deps.issuer}/interaction/${uid}/callback?handle=${handle}`);
}
