import { invalid, VALID, type IdCheck } from './check.js';

/**
 * Finnish electronic client identifiers (SATU), the serialNumber of FinEID certificates:
 * eight digits and a check character, the number modulo 31 indexing the same alphabet as the
 * personal identity code. A SATU is not the personal identity code and encodes no birth date.
 */

const SATU = /^(\d{8})([0-9A-Y])$/;
const CHECK_CHARACTERS = '0123456789ABCDEFHJKLMNPRSTUVWXY';

/** Whether `value` is a SATU with the right check character. */
export function checkFinnishSatu(value: string): IdCheck {
  const parts = SATU.exec(value);
  if (!parts) return invalid('not 8 digits and a check character');
  if (CHECK_CHARACTERS[Number(parts[1]) % 31] !== parts[2]) {
    return invalid('check character does not match (mod 31)');
  }
  return VALID;
}
