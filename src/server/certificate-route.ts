import Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
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
import { STEP_TOKEN_FIELD, type StepTokens } from '../oidc/step-tokens.js';
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
  /** Checks the login page's proof before anything else (step-tokens.ts). */
  stepTokens: StepTokens;
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

/** The form holds one 43-character token; anything much larger is not our login page. */
const MAX_STEP_BODY_BYTES = 2048;

/**
 * POST /interaction/:uid/certificate on the certificate origin, sent by the login page's
 * "Continue" form: the handshake has just asked for the card's certificate. Check the step
 * token first, then validate and map the certificate (one decision function), store the
 * result behind a one-time handle bound to this interaction, and send the browser back to
 * the OIDC origin. The connection closes after the answer so the next login makes a new
 * handshake.
 *
 * GET on the same path never logs in: knowing a uid (it is in URL paths that proxies log)
 * must not be enough to run the step. It sends the browser back to the login page, which
 * shows again only in the browser that holds the interaction's cookie.
 */
export function certificateRoutes(deps: CertificateRouteDependencies): Router {
  const router = new Router();
  router.post('/interaction/:uid/certificate', (ctx) => certificateStep(ctx, deps));
  router.get('/interaction/:uid/certificate', (ctx) => backToLoginPage(ctx, deps));
  return router;
}

function backToLoginPage(ctx: Context, deps: CertificateRouteDependencies): void {
  ctx.set('Connection', 'close');
  ctx.set('Cache-Control', 'no-store');
  ctx.status = 303;
  ctx.redirect(`${deps.issuer}/interaction/${encodeURIComponent(String(ctx.params.uid))}`);
}

/** The step token from the urlencoded form body, or why there is none (and its status). */
async function postedStepToken(ctx: Context): Promise<{ token?: string; problem?: string; status?: number }> {
  if (ctx.request.type !== 'application/x-www-form-urlencoded') {
    return { problem: `form expected, got ${ctx.request.type || 'no content type'}` };
  }
  try {
    const body = await getRawBody(ctx.req, {
      limit: MAX_STEP_BODY_BYTES,
      length: ctx.get('content-length') || undefined,
      encoding: 'utf8',
    });
    const token = new URLSearchParams(body).get(STEP_TOKEN_FIELD);
    return token === null ? { problem: 'no step token in the form' } : { token };
  } catch (error) {
    const tooLarge = (error as { type?: string }).type === 'entity.too.large';
    return tooLarge
      ? { problem: `form larger than ${MAX_STEP_BODY_BYTES} bytes`, status: 413 }
      : { problem: 'form body unreadable' };
  }
}

async function certificateStep(ctx: Context, deps: CertificateRouteDependencies): Promise<void> {
  ctx.set('Connection', 'close');
  const uid = String(ctx.params.uid);
  const reference = String(ctx.state.requestId);
  // Before the interaction, the certificate or the store is looked at: without the login
  // page's proof nothing about this uid is decided, and no handle can be issued.
  const posted = await postedStepToken(ctx);
  const tokenValid = posted.token !== undefined && deps.stepTokens.verify(posted.token, uid);
  if (!tokenValid) {
    deps.events.emit(
      {
        name: 'login.failed',
        interaction: uid,
        code: 'STEP_TOKEN_INVALID',
        detail: posted.problem ?? 'step token does not match the interaction',
      },
      reference,
    );
    respondWithErrorPage(ctx, deps.pages, {
      code: 'STEP_TOKEN_INVALID',
      status: posted.status ?? 403,
      reference,
      // The login page again: in the browser that holds the interaction it carries a fresh
      // token; anywhere else it is the "start again from the service" page.
      retryUrl: `${deps.issuer}/interaction/${encodeURIComponent(uid)}`,
    });
    return;
  }
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
