import Router from '@koa/router';
import { abortInteraction } from './abort-interaction.js';
import { confirmConsent } from './confirm-consent.js';
import type { InteractionDependencies } from './context.js';
import { redeemCertificateHandle } from './redeem-certificate-handle.js';
import { showInteraction } from './show-interaction.js';

/**
 * The interaction steps of the OIDC origin, in the order a login meets them. The
 * certificate step itself runs on the certificate origin (src/server/certificate-route.ts).
 */
export function interactionRoutes(deps: InteractionDependencies): Router {
  const router = new Router();
  router.get('/interaction/:uid', (ctx) => showInteraction(ctx, deps));
  router.get('/interaction/:uid/callback', (ctx) => redeemCertificateHandle(ctx, deps));
  router.post('/interaction/:uid/consent', (ctx) => confirmConsent(ctx, deps));
  router.post('/interaction/:uid/abort', (ctx) => abortInteraction(ctx, deps));
  return router;
}
