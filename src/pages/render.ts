import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { Catalogue, chooseLanguage, type Language, type Translate } from './i18n.js';

/** views/ at the top of the repository: templates, locales and static assets. */
export const VIEWS_DIR = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../views');

export const LANGUAGE_COOKIE = 'eid_lang';

/** What a page needs to know about the request it answers. */
export interface PageRequest {
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  cookies: { get(name: string): string | undefined };
  /** Path and query of this page, for the language switch link. */
  url: string;
  uiLocales?: string | undefined;
}

export interface RenderedPage {
  html: string;
  language: Language;
  /** Set when the person picked a language with the switch; remembered in a cookie. */
  chosenLanguage: Language | undefined;
}

/**
 * Renders templates from views/ with Eta, which escapes every `<%= %>` value: no template
 * escaping is written by hand here. Pages load their stylesheet from the OIDC origin, so
 * pages of the certificate origin look the same without a second certificate prompt.
 */
export class PageRenderer {
  readonly #eta: Eta;
  readonly #catalogue: Catalogue;
  /** Origin the pages load their stylesheet and images from (the OIDC origin). */
  readonly assetOrigin: string;

  constructor(options: { assetOrigin: string; viewsDir?: string }) {
    const viewsDir = options.viewsDir ?? VIEWS_DIR;
    this.#eta = new Eta({ views: viewsDir, autoEscape: true, cache: true, autoTrim: false });
    this.#catalogue = new Catalogue(viewsDir);
    this.assetOrigin = new URL(options.assetOrigin).origin;
  }

  render(template: string, request: PageRequest, data: Record<string, unknown>): RenderedPage {
    const explicit = typeof request.query.lang === 'string' ? request.query.lang : undefined;
    const language = chooseLanguage({
      explicit: explicit ?? request.cookies.get(LANGUAGE_COOKIE),
      uiLocales: request.uiLocales,
      acceptLanguage: headerValue(request.headers['accept-language']),
    });
    const t: Translate = this.#catalogue.translator(language);
    const other: Language = language === 'es' ? 'en' : 'es';
    const html = this.#eta.render(template, {
      ...data,
      t,
      lang: language,
      assets: `${this.assetOrigin}/static`,
      switchLanguage: { href: withQuery(request.url, 'lang', other), label: t('lang.switch'), lang: other },
    });
    const chosenLanguage = explicit === 'es' || explicit === 'en' ? explicit : undefined;
    return { html, language, chosenLanguage };
  }

  /** Whether the catalogue has a message, for optional per-error wording. */
  hasMessage(language: Language, key: string): boolean {
    return this.#catalogue.has(language, key);
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function withQuery(url: string, name: string, value: string): string {
  const parsed = new URL(url, 'http://placeholder');
  parsed.searchParams.set(name, value);
  return `${parsed.pathname}${parsed.search}`;
}
