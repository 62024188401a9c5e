import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import { Eta } from 'eta';
import Koa from 'koa';
import * as oidc from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * A demo relying party, as an integrator would write one with openid-client: a "Sign in
 * with eID" button, the authorization code flow with PKCE, state and nonce, a verified ID
 * token, and RP-initiated logout. Sessions live in memory: it is a demo.
 */
export interface RelyingPartyOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where this demo listens and how the browser reaches it, e.g. http://localhost:3000. */
  baseUrl: string;
  host?: string;
  port: number;
  /** PEM of a CA to trust for the IdP (the development TLS CA). */
  idpCaPem?: string;
  scope?: string;
}

export interface RunningRelyingParty {
  url: string;
  close(): Promise<void>;
}

interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
}

interface SignedIn {
  claims: Record<string, unknown>;
  idToken: string;
}

const COOKIE = 'demo_rp';
const views = new Eta({
  views: path.join(path.dirname(fileURLToPath(import.meta.url)), 'views'),
  autoEscape: true,
});

export async function startRelyingParty(options: RelyingPartyOptions): Promise<RunningRelyingParty> {
  const dispatcher = options.idpCaPem ? new Agent({ connect: { ca: options.idpCaPem } }) : undefined;
  const fetchWithCa: oidc.CustomFetch = (url, init) =>
    undiciFetch(url, { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1]) as
      unknown as Promise<Response>;
  const base = options.baseUrl.replace(/\/$/, '');
  const redirectUri = `${base}/callback`;
  let configuration: oidc.Configuration | undefined;
  const discover = async () => {
    configuration ??= await oidc.discovery(
      new URL(options.issuer),
      options.clientId,
      { redirect_uris: [redirectUri] },
      oidc.ClientSecretBasic(options.clientSecret),
      { [oidc.customFetch]: fetchWithCa },
    );
    return configuration;
  };

  const pending = new Map<string, PendingLogin>();
  const sessions = new Map<string, SignedIn>();
  const app = new Koa();
  const router = new Router();

  router.get('/', (ctx) => {
    const session = sessions.get(ctx.cookies.get(COOKIE) ?? '');
    ctx.type = 'html';
    // The "Sign in with eID" button's stylesheet comes from the IdP, as in the README snippet.
    const idpOrigin = new URL(options.issuer).origin;
    ctx.set(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'unsafe-inline' ${idpOrigin}; img-src ${idpOrigin}`,
    );
    ctx.body = views.render('home', {
      signedIn: session !== undefined,
      claims: session?.claims ?? {},
      buttonUrl: `${options.issuer}/static/sign-in-with-eid.svg`,
      idpAssets: `${options.issuer}/static`,
    });
  });

  router.get('/login', async (ctx) => {
    const config = await discover();
    const login: PendingLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
    };
    const id = randomBytes(16).toString('base64url');
    pending.set(id, login);
    setTimeout(() => pending.delete(id), 15 * 60_000).unref();
    ctx.cookies.set(COOKIE, id, { httpOnly: true, sameSite: 'lax' });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: typeof ctx.query.scope === 'string' ? ctx.query.scope : (options.scope ?? 'openid profile'),
      state: login.state,
      nonce: login.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(login.codeVerifier),
      code_challenge_method: 'S256',
    });
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const config = await discover();
    const id = ctx.cookies.get(COOKIE) ?? '';
    const login = pending.get(id);
    pending.delete(id);
    if (!login) {
      ctx.status = 400;
      ctx.body = 'No sign-in in progress in this browser.';
      return;
    }
    const currentUrl = new URL(ctx.originalUrl, base);
    if (currentUrl.searchParams.has('error')) {
      ctx.status = 403;
      ctx.type = 'html';
      ctx.body = views.render('refused', { error: currentUrl.searchParams.get('error') });
      return;
    }
    const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: login.codeVerifier,
      expectedState: login.state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims() ?? {};
    const sessionId = randomBytes(16).toString('base64url');
    sessions.set(sessionId, { claims: { ...claims }, idToken: tokens.id_token ?? '' });
    ctx.cookies.set(COOKIE, sessionId, { httpOnly: true, sameSite: 'lax' });
    ctx.redirect('/');
  });

  router.get('/logout', async (ctx) => {
    const config = await discover();
    const id = ctx.cookies.get(COOKIE) ?? '';
    const session = sessions.get(id);
    sessions.delete(id);
    ctx.cookies.set(COOKIE, null);
    if (!session) {
      ctx.redirect('/');
      return;
    }
    ctx.redirect(
      oidc.buildEndSessionUrl(config, {
        id_token_hint: session.idToken,
        post_logout_redirect_uri: `${base}/`,
      }).href,
    );
  });

  app.use(router.routes());
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: options.port === 0 ? `http://localhost:${port}` : base,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
