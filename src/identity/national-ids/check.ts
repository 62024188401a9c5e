/**
 * Shared shapes of the per-country identifier checks. A failed check carries a reason that
 * names the rule, never the value: identifiers are personal data and details reach logs.
 */
export type IdCheck = { ok: true } | { ok: false; detail: string };

export const VALID: IdCheck = { ok: true };

export function invalid(detail: string): IdCheck {
  return { ok: false, detail };
}

/** `YYYY-MM-DD` when the three numbers form a real calendar date; otherwise undefined. */
export function isoDate(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12 || day < 1) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0-99 to 1900-1999; no identifier here encodes such a year.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1) return undefined;
  if (date.getUTCDate() !== day) return undefined;
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** The decimal digits of a string that has already been checked to be all digits. */
export function digitsOf(value: string): number[] {
  return [...value].map(Number);
}
