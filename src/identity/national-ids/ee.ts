import { digitsOf, invalid, isoDate, VALID, type IdCheck } from './check.js';

/**
 * Estonian personal identification codes (isikukood): GYYMMDDSSSC. G gives century and sex
 * (1/2: 1800s, 3/4: 1900s, 5/6: 2000s, 7/8: 2100s), then the birth date, a serial and a
 * check digit computed with two rounds of weights modulo 11.
 */

const CODE = /^[1-8]\d{10}$/;
const WEIGHTS_FIRST = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1];
const WEIGHTS_SECOND = [3, 4, 5, 6, 7, 8, 9, 1, 2, 3];

/** Whether `value` is a well-formed Estonian personal code with a valid date and check digit. */
export function checkEstonianCode(value: string): IdCheck {
  if (!CODE.test(value)) return invalid('not 11 digits starting with 1-8');
  if (estonianBirthdate(value) === undefined) {
    return invalid('the encoded birth date is not a date');
  }

  const digits = digitsOf(value);
  if (digits[10] !== estonianCheckDigit(digits)) return invalid('check digit does not match');
  return VALID;
}

function estonianCheckDigit(digits: readonly number[]): number {
  const weighted = (weights: readonly number[]): number =>
    weights.reduce((sum, weight, index) => sum + weight * digits[index]!, 0) % 11;
  const first = weighted(WEIGHTS_FIRST);
  if (first < 10) return first;
  const second = weighted(WEIGHTS_SECOND);
  return second < 10 ? second : 0;
}

/** Birth date (YYYY-MM-DD) encoded in an Estonian personal code, if it is one. */
export function estonianBirthdate(value: string): string | undefined {
  if (!CODE.test(value)) return undefined;
  const centuryDigit = Number(value[0]);
  const century = 1800 + Math.floor((centuryDigit - 1) / 2) * 100;
  return isoDate(
    century + Number(value.slice(1, 3)),
    Number(value.slice(3, 5)),
    Number(value.slice(5, 7)),
  );
}
