import { invalid, VALID, type IdCheck } from './check.js';

/**
 * Spanish DNI and NIE numbers: eight digits (a NIE: X, Y or Z and seven digits) and a check
 * letter, the number modulo 23 indexing TRWAGMYFPDXBNJZSQVHLCKE. A NIE's first letter stands
 * for 0, 1 or 2 in the computation. Neither encodes a birth date.
 */

const CHECK_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
const DNI = /^(\d{8})([A-Z])$/;
const NIE = /^([XYZ])(\d{7})([A-Z])$/;
const NIE_PREFIX: Readonly<Record<string, string>> = { X: '0', Y: '1', Z: '2' };

/** Whether `value` is a DNI or NIE with the right check letter (upper case, no separators). */
export function checkSpanishId(value: string): IdCheck {
  const dni = DNI.exec(value);
  if (dni) return checkLetter(dni[1]!, dni[2]!, 'DNI');

  const nie = NIE.exec(value);
  if (nie) return checkLetter(`${NIE_PREFIX[nie[1]!]}${nie[2]!}`, nie[3]!, 'NIE');

  return invalid('not a DNI (8 digits and a letter) nor a NIE (X/Y/Z, 7 digits, a letter)');
}

function checkLetter(digits: string, letter: string, kind: string): IdCheck {
  const expected = CHECK_LETTERS[Number(digits) % 23];
  if (letter !== expected) return invalid(`${kind} check letter does not match (mod 23)`);
  return VALID;
}
