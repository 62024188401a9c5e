import type { Context } from 'koa';
import { contentSecurityPolicy } from './csp.js';
import { LANGUAGE_COOKIE, type PageRenderer } from './render.js';

export interface PageOptions {
  status?: number;
  /** Origins a form on this page may reach, redirects included (see csp.ts). */
  formActionOrigins?: readonly string[];
  /** The URL the language switch should reload (defaults to this page). */
  switchUrl?: string;
}

/**
 * Answers a request with a page from views/: the HTML, the language cookie when the person
 * chose one, no caching, and the page's Content-Security-Policy.
 */
export function respondWithPage(
  ctx: Context,
  pages: PageRenderer,
  template: string,
  data: Record<string, unknown>,
  options: PageOptions = {},
): void {
  const page = pages.render(
    template,
    {
      query: ctx.query,
      headers: ctx.headers,
      cookies: ctx.cookies,
      url: options.switchUrl ?? ctx.originalUrl,
      uiLocales: typeof data.uiLocales === 'string' ? data.uiLocales : undefined,
    },
    data,
  );
  if (page.chosenLanguage) {
    ctx.cookies.set(LANGUAGE_COOKIE, page.chosenLanguage, {
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.secure,
      maxAge: 365 * 24 * 3600 * 1000,
      signed: false,
    });
  }
  if (options.status !== undefined) ctx.status = options.status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Content-Language', page.language);
  ctx.set(
    'Content-Security-Policy',
    contentSecurityPolicy({
      assetOrigin: pages.assetOrigin,
      formActionOrigins: options.formActionOrigins ?? [],
    }),
  );
  ctx.body = page.html;
}

export interface ErrorPageOptions {
  /** A RefusalCode or JourneyCode; its words come from views/locales. */
  code: string;
  status: number;
  /** Where "Try again" leads; omitted when starting over at the service is the only way. */
  retryUrl?: string;
  /** Explain that the browser remembers the chosen certificate until it restarts. */
  chooseAgain?: boolean;
  /** Correlates the page with the log line; never personal data. */
  reference: string;
  /** Overrides of heading/body message keys, for oidc-provider errors. */
  headingKey?: string;
  bodyKey?: string;
  switchUrl?: string;
}

/** The citizen's error page for a refusal or a failed step. */
export function respondWithErrorPage(
  ctx: Context,
  pages: PageRenderer,
  options: ErrorPageOptions,
): void {
  const page = pages.render(
    'error',
    {
      query: ctx.query,
      headers: ctx.headers,
      cookies: ctx.cookies,
      url: options.switchUrl ?? ctx.originalUrl,
    },
    {
      code: options.code,
      headingKey: options.headingKey ?? `error.${options.code}.title`,
      bodyKey: options.bodyKey ?? `error.${options.code}.body`,
      retryUrl: options.retryUrl,
      chooseAgain: options.chooseAgain ?? false,
      reference: options.reference,
    },
  );
  ctx.status = options.status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Content-Language', page.language);
  ctx.set('Content-Security-Policy', contentSecurityPolicy({ assetOrigin: pages.assetOrigin }));
  ctx.body = page.html;
}
