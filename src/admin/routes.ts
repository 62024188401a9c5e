import multer from '@koa/multer';
import Router from '@koa/router';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import type { Logger } from '../observability/logger.js';
import type { PageRenderer } from '../pages/render.js';
import { respondWithPage } from '../pages/respond.js';
import { requireAdmin, type AdminAccess, type AdminPrincipal } from './access.js';
import { readCertificateInput, type CertificateInput } from './certificate-input.js';
import { CsrfTokens, fromOwnOrigin } from './csrf.js';
import { mappingView, profileViews } from './overview.js';
import { previewCertificate, type PreviewDependencies, type PreviewResult } from './preview.js';
import type { AdminSettings } from './settings.js';

/**
 * /admin on the certificate origin (docs/admin.md): the page and the JSON API over the
 * same services. Only mounted when a way in is configured (settings.ts).
 *
 *   GET  /admin                 page: profiles, mapping, preview form
 *   POST /admin/preview         the form (multipart: PEM text and/or a PEM/DER file)
 *   GET  /admin/api/profiles    active card profiles
 *   GET  /admin/api/mapping     the mapping file in force and per-client release rules
 *   POST /admin/api/preview     body: DER (application/pkix-cert) or PEM
 *                               (application/x-pem-file, application/pem-certificate-chain)
 */

export interface AdminDependencies extends PreviewDependencies {
  settings: AdminSettings;
  pages: PageRenderer;
  /** Public URL of the certificate origin, for the same-origin check. */
  certificateOrigin: string;
  /** Key the CSRF tokens are derived from (the server's subject key). */
  csrfSecret: Buffer;
  /** SHA-256 of the client certificate of this request's handshake, if any. */
  leafSha256Of: (ctx: Context) => string | undefined;
  logger: Logger;
}

/** Largest upload accepted: a leaf and a few intermediates fit many times over. */
const MAX_UPLOAD_BYTES = 64 * 1024;

const DER_TYPES = [
  'application/pkix-cert',
  'application/x-x509-ca-cert',
  'application/octet-stream',
];
const PEM_TYPES = ['application/x-pem-file', 'application/pem-certificate-chain'];

export function adminRoutes(deps: AdminDependencies): Router {
  const router = new Router({ prefix: '/admin' });
  const csrf = new CsrfTokens(deps.csrfSecret);
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_UPLOAD_BYTES, fieldSize: MAX_UPLOAD_BYTES, files: 1, fields: 4 },
  });

  router.use(async function adminResponses(ctx, next) {
    // Admin answers may hold a previewed person's claims: never cached, never framed.
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  router.use(
    requireAdmin(deps.settings, deps.leafSha256Of, (ctx, refusal) => refuse(ctx, deps, refusal)),
  );

  router.get('/', (ctx) => showPage(ctx, deps, csrf, {}));

  router.post('/preview', async (ctx) => {
    const principal = ctx.state.admin as AdminPrincipal;
    if (!fromOwnOrigin(ctx, deps.certificateOrigin)) {
      showPage(ctx, deps, csrf, { status: 403, error: 'The form was not sent from this page.' });
      return;
    }
    try {
      await upload.single('certificate')(ctx, async () => undefined);
    } catch (error) {
      showPage(ctx, deps, csrf, { status: 400, error: uploadProblem(error) });
      return;
    }
    const fields = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
    if (!csrf.verify(fields.csrf, principal)) {
      showPage(ctx, deps, csrf, {
        status: 403,
        error:
          'The form has expired or was not sent from this page; reload the page and try again.',
      });
      return;
    }
    const file = (ctx as { file?: { buffer: Buffer } }).file;
    const pasted = typeof fields.pem === 'string' ? fields.pem : '';
    const input = readCertificateInput(file && file.buffer.length > 0 ? file.buffer : pasted);
    if (!input.ok) {
      showPage(ctx, deps, csrf, { status: 400, error: `${input.code}: ${input.message}` });
      return;
    }
    const scope =
      typeof fields.scope === 'string' && fields.scope.trim() ? fields.scope : undefined;
    const preview = await runPreview(ctx, deps, input.chain, scope);
    showPage(ctx, deps, csrf, { preview, scope });
  });

  router.get('/api/profiles', (ctx) => {
    ctx.body = { profiles: profileViews(deps.mapping) };
  });

  router.get('/api/mapping', (ctx) => {
    ctx.body = mappingView(deps.mapping, deps.clients);
  });

  router.post('/api/preview', async (ctx) => {
    if (!fromOwnOrigin(ctx, deps.certificateOrigin)) {
      apiError(ctx, 403, 'CROSS_ORIGIN', 'cross-origin requests are not accepted');
      return;
    }
    const input = await readApiBody(ctx);
    if (!input.ok) {
      apiError(ctx, input.status, input.code, input.message);
      return;
    }
    const scope = typeof ctx.query.scope === 'string' ? ctx.query.scope : undefined;
    ctx.body = await runPreview(ctx, deps, input.chain, scope);
  });

  return router;
}

async function runPreview(
  ctx: Context,
  deps: AdminDependencies,
  chain: Uint8Array[],
  scope: string | undefined,
): Promise<PreviewResult> {
  const preview = await previewCertificate(chain, deps, { scope });
  // What was previewed stays out of the log: only the outcome and who asked (by kind).
  deps.logger.info(
    {
      event: 'admin.preview',
      admin: (ctx.state.admin as AdminPrincipal).kind,
      accepted: preview.decision.accepted,
      code: preview.decision.accepted ? undefined : preview.decision.code,
      profile: preview.decision.accepted ? preview.decision.profile : undefined,
      requestId: ctx.state.requestId,
    },
    'admin certificate preview',
  );
  return preview;
}

type ApiInput =
  | Extract<CertificateInput, { ok: true }>
  | { ok: false; status: number; code: string; message: string };

/**
 * The API takes the certificate as the whole body. Only content types a cross-site HTML form
 * cannot send are accepted, so a browser holding an admin certificate cannot be made to call
 * it from another site without a CORS preflight, which this API never grants.
 */
async function readApiBody(ctx: Context): Promise<ApiInput> {
  const type = ctx.request.type;
  const isDer = DER_TYPES.includes(type);
  if (!isDer && !PEM_TYPES.includes(type)) {
    return {
      ok: false,
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `send the certificate as ${DER_TYPES[0]} (DER) or ${PEM_TYPES[0]} (PEM)`,
    };
  }
  let body: Buffer;
  try {
    body = await getRawBody(ctx.req, {
      limit: MAX_UPLOAD_BYTES,
      length: ctx.get('content-length') || undefined,
    });
  } catch (error) {
    const tooLarge = (error as { type?: string }).type === 'entity.too.large';
    return {
      ok: false,
      status: tooLarge ? 413 : 400,
      code: tooLarge ? 'TOO_LARGE' : 'BAD_BODY',
      message: tooLarge
        ? `the body exceeds ${MAX_UPLOAD_BYTES} bytes`
        : 'the body could not be read',
    };
  }
  const input = readCertificateInput(isDer ? new Uint8Array(body) : body.toString('utf8'));
  return input.ok ? input : { ok: false, status: 400, code: input.code, message: input.message };
}

function uploadProblem(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'LIMIT_FILE_SIZE' || code === 'LIMIT_FIELD_VALUE') {
    return `The upload is larger than ${MAX_UPLOAD_BYTES / 1024} KiB; a certificate is much smaller.`;
  }
  return 'The upload could not be read; send one certificate file or paste PEM text.';
}

function apiError(ctx: Context, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.body = { error: code, message };
}

function refuse(
  ctx: Context,
  deps: AdminDependencies,
  refusal: Extract<AdminAccess, { ok: false }>,
): void {
  deps.logger.warn(
    {
      event: 'admin.refused',
      status: refusal.status,
      reason: refusal.reason,
      requestId: ctx.state.requestId,
    },
    'admin access refused',
  );
  if (refusal.status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="eid-idp admin"');
  if (ctx.path.startsWith('/admin/api/')) {
    apiError(
      ctx,
      refusal.status,
      refusal.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN',
      refusal.reason,
    );
    return;
  }
  respondWithPage(
    ctx,
    deps.pages,
    'admin-denied',
    { status: refusal.status },
    { status: refusal.status },
  );
}

function showPage(
  ctx: Context,
  deps: AdminDependencies,
  csrf: CsrfTokens,
  view: { preview?: PreviewResult; scope?: string | undefined; error?: string; status?: number },
): void {
  const principal = ctx.state.admin as AdminPrincipal;
  respondWithPage(
    ctx,
    deps.pages,
    'admin',
    {
      profiles: profileViews(deps.mapping),
      mapping: mappingView(deps.mapping, deps.clients),
      csrf: csrf.issue(principal),
      principal: principal.kind,
      preview: view.preview,
      scope: view.scope ?? '',
      error: view.error,
      json: (value: unknown) => JSON.stringify(value, null, 2),
    },
    { status: view.status ?? 200 },
  );
}
