/**
 * Value transforms the administrator's mapping file may apply to a claim, in the order
 * written. Claims are otherwise kept exactly as the card has them; `titleCase` is the only
 * transform that changes letter case, and only because an administrator asked for it.
 */

export type Transform =
  | { kind: 'trim' }
  | { kind: 'nfc' }
  | { kind: 'titleCase' }
  | { kind: 'stripPrefix'; prefix: string }
  | { kind: 'splitCn'; separator: string; part: number };

export const TRANSFORM_NAMES = ['trim', 'nfc', 'titleCase', 'stripPrefix', 'splitCn'] as const;

// A role suffix cards append to the CN: "(AUTENTICACIÓN)", "(FIRMA)", "(Authentication)".
const ROLE_SUFFIX = /\s*\([^()]*\)\s*$/u;
// Word starts: after start, space, hyphen, apostrophe (ASCII or typographic) or a period.
const WORD_START = /(^|[\s\-'’.])(\p{L})/gu;

/** Applies one transform; undefined when the value does not have the requested part. */
export function applyTransform(transform: Transform, value: string): string | undefined {
  switch (transform.kind) {
    case 'trim':
      return value.trim();
    case 'nfc':
      return value.normalize('NFC');
    case 'titleCase':
      return value
        .toLowerCase()
        .replace(WORD_START, (_match, before: string, letter: string) =>
          `${before}${letter.toUpperCase()}`,
        );
    case 'stripPrefix':
      return value.startsWith(transform.prefix) ? value.slice(transform.prefix.length) : value;
    case 'splitCn': {
      const parts = value.replace(ROLE_SUFFIX, '').split(transform.separator);
      return parts[transform.part]?.trim();
    }
  }
}

/** Applies transforms in order; stops at the first that yields nothing. */
export function applyTransforms(
  transforms: readonly Transform[],
  value: string,
): string | undefined {
  let current: string | undefined = value;
  for (const transform of transforms) {
    if (current === undefined) return undefined;
    current = applyTransform(transform, current);
  }
  return current;
}
