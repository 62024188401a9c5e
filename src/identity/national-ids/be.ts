import { invalid, isoDate, VALID, type IdCheck } from './check.js';

/**
 * Belgian national register numbers (rijksregisternummer): YYMMDD SSS CC. CC is 97 minus the
 * first nine digits modulo 97; for people born in 2000 or later the nine digits are
 * prefixed with 2. BIS numbers (people not in the register) add 20 or 40 to the month, and
 * an unknown birth month or day is written 00.
 */

const NRN = /^\d{11}$/;

/** Which century the check digits point to, or why the number is invalid. */
function checkedCentury(value: string): 1900 | 2000 | undefined {
  if (!NRN.test(value)) return undefined;
  const body = BigInt(value.slice(0, 9));
  const check = BigInt(value.slice(9));
  if (97n - (body % 97n) === check) return 1900;
  if (97n - ((2_000_000_000n + body) % 97n) === check) return 2000;
  return undefined;
}

/** Whether `value` is an 11-digit national register (or BIS) number with valid check digits. */
export function checkBelgianNumber(value: string): IdCheck {
  if (!NRN.test(value)) return invalid('not 11 digits');
  if (checkedCentury(value) === undefined) return invalid('check digits do not match (mod 97)');
  return VALID;
}

/**
 * Birth date encoded in a Belgian national register or BIS number; undefined when the number
 * is invalid or the register does not know the full date (month or day 00).
 */
export function belgianBirthdate(value: string): string | undefined {
  const century = checkedCentury(value);
  if (century === undefined) return undefined;

  let month = Number(value.slice(2, 4));
  const day = Number(value.slice(4, 6));
  if (month > 40) month -= 40;
  else if (month > 20) month -= 20;
  return isoDate(century + Number(value.slice(0, 2)), month, day);
}
