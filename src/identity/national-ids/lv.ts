import { digitsOf, invalid, isoDate, VALID, type IdCheck } from './check.js';

/**
 * Latvian personal codes (personas kods). Codes issued before July 2017 are DDMMYY-CNNNN:
 * birth date, a century digit (0: 1800s, 1: 1900s, 2: 2000s), a serial and a check digit.
 * Codes issued since start with 32 and encode nothing about the person; they are checked
 * for shape only, since no public rule promises their check digit.
 */

const OLD_FORMAT = /^(\d{2})(\d{2})(\d{2})-?([012])(\d{4})$/;
const NEW_FORMAT = /^32\d{4}-?\d{5}$/;
const WEIGHTS = [1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** Whether `value` is a Latvian personal code, old (with date and check digit) or new (32…). */
export function checkLatvianCode(value: string): IdCheck {
  if (NEW_FORMAT.test(value)) return VALID;
  if (!OLD_FORMAT.test(value)) return invalid('not DDMMYY-CNNNN nor 32NNNN-NNNNN');
  if (latvianBirthdate(value) === undefined) {
    return invalid('the encoded birth date is not a date');
  }

  const digits = digitsOf(value.replace('-', ''));
  const sum = WEIGHTS.reduce((total, weight, index) => total + weight * digits[index]!, 0);
  if ((1101 - sum) % 11 !== digits[10]) return invalid('check digit does not match');
  return VALID;
}

/** Birth date of an old-format Latvian code; undefined for new (32…) codes. */
export function latvianBirthdate(value: string): string | undefined {
  if (NEW_FORMAT.test(value)) return undefined;
  const parts = OLD_FORMAT.exec(value);
  if (!parts) return undefined;
  const [, day, month, year, century] = parts;
  return isoDate(1800 + Number(century) * 100 + Number(year), Number(month), Number(day));
}
