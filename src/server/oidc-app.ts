import Koa from 'koa';
import mount from 'koa-mount';
import serve from 'koa-static';
import path from 'node:path';
import type Provider from 'oidc-provider';
import type { Logger } from '../observability/logger.js';
import type { InteractionDependencies } from '../oidc/interactions/context.js';
import { interactionRoutes } from '../oidc/interactions/routes.js';
import { VIEWS_DIR } from '../pages/render.js';
import type { KeyValueStore } from '../store/contract.js';
import { ignoreForwardedCertificateElsewhere, type CertificateProxy } from './client-certificate.js';
import { errorBoundary } from './error-boundary.js';
import { trustForwardedHeaders } from './trusted-proxies.js';
import { requestId } from './request-id.js';
import { securityHeaders } from './security-headers.js';

/**
 * The OIDC origin: discovery, JWKS, authorize, token, userinfo, logout (oidc-provider), the
 * interaction pages, static assets and health. It never asks for a client certificate.
 */
export function createOidcApp(options: {
  provider: Provider;
  interactions: InteractionDependencies;
  store: KeyValueStore;
  logger: Logger;
  issuer: string;
  /** oidc-provider mounted in this app signs its cookies with the app's keys. */
  cookieKeys: string[];
  /** Proxies trusted for X-Forwarded-* (issuer-relative redirects, secure cookies, client ip). */
  certificateProxy?: CertificateProxy;
}): Koa {
  const app = new Koa();
  app.keys = options.cookieKeys;
  if (options.certificateProxy) {
    trustForwardedHeaders(app, options.certificateProxy.trusted, options.logger);
    app.use(ignoreForwardedCertificateElsewhere(options.certificateProxy));
  }
  app.use(requestId());
  app.use(securityHeaders({ assetOrigin: options.issuer }));
  app.use(errorBoundary({ pages: options.interactions.pages, logger: options.logger }));
  app.use(
    mount(
      '/static',
      serve(path.join(VIEWS_DIR, 'static'), { maxage: 3600_000, hidden: false, index: false }),
    ),
  );
  app.use(healthRoutes(options.store));
  const interactions = interactionRoutes(options.interactions);
  app.use(interactions.routes());
  app.use(interactions.allowedMethods());
  app.use(mount(options.provider as unknown as Koa));
  return app;
}

/** /healthz: the process answers. /readyz: it can serve logins (the store answers). */
function healthRoutes(store: KeyValueStore): Koa.Middleware {
  return async function health(ctx, next) {
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok' };
      return;
    }
    if (ctx.path === '/readyz') {
      try {
        await store.ping();
        ctx.body = { status: 'ready', store: store.kind };
      } catch {
        ctx.status = 503;
        ctx.body = { status: 'not ready', store: store.kind };
      }
      return;
    }
    await next();
  };
}
