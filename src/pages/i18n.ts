import { readFileSync } from 'node:fs';
import path from 'node:path';

export const LANGUAGES = ['es', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

export type Translate = (key: string, values?: Record<string, string>) => string;

/** Message catalogues from views/locales/<lang>.json, one per language. */
export class Catalogue {
  readonly #messages: Record<Language, Record<string, string>>;

  constructor(viewsDir: string) {
    const load = (language: Language) =>
      JSON.parse(
        readFileSync(path.join(viewsDir, 'locales', `${language}.json`), 'utf8'),
      ) as Record<string, string>;
    this.#messages = { es: load('es'), en: load('en') };
  }

  has(language: Language, key: string): boolean {
    return key in this.#messages[language];
  }

  translator(language: Language): Translate {
    const messages = this.#messages[language];
    return (key, values = {}) => {
      const template = messages[key] ?? this.#messages[DEFAULT_LANGUAGE][key] ?? key;
      return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
    };
  }
}

/**
 * The page language: an explicit choice (the switch link or the `ui_locales` the relying
 * party passed) wins over the browser's Accept-Language; English when nothing matches.
 */
export function chooseLanguage(options: {
  explicit?: string | undefined;
  uiLocales?: string | undefined;
  acceptLanguage?: string | undefined;
}): Language {
  const wanted = [
    options.explicit,
    ...(options.uiLocales?.split(/\s+/) ?? []),
    ...parseAcceptLanguage(options.acceptLanguage ?? ''),
  ];
  for (const tag of wanted) {
    const primary = tag?.toLowerCase().split('-')[0];
    const match = LANGUAGES.find((language) => language === primary);
    if (match) return match;
  }
  return DEFAULT_LANGUAGE;
}

function parseAcceptLanguage(header: string): string[] {
  return header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
      return { tag: tag.trim(), quality: q ? Number(q.slice(2)) : 1 };
    })
    .filter((entry) => entry.tag !== '' && entry.tag !== '*' && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality)
    .map((entry) => entry.tag);
}
