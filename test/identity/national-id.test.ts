import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  birthdateOf,
  checkBelgianNumber,
  checkEstonianCode,
  checkFinnishSatu,
  checkLatvianCode,
  checkSpanishId,
  parseNationalIdentifier,
  parseSemanticsIdentifier,
} from '../../src/identity/index.js';

const LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

describe('ETSI EN 319 412-1 semantics identifiers', () => {
  it('splits IDCES-99999999R into type, country and value and keeps the raw string', () => {
    assert.deepEqual(parseNationalIdentifier('IDCES-99999999R'), {
      ok: true,
      id: { type: 'IDC', country: 'ES', value: '99999999R', raw: 'IDCES-99999999R' },
    });
  });

  it('reads PNOEE, TIN and PAS identifiers', () => {
    assert.deepEqual(parseNationalIdentifier('PNOEE-38001085718'), {
      ok: true,
      id: { type: 'PNO', country: 'EE', value: '38001085718', raw: 'PNOEE-38001085718' },
    });
    assert.deepEqual(parseSemanticsIdentifier('TINIT-RSSMRA80A01H501U'), {
      ok: true,
      id: { type: 'TIN', country: 'IT', value: 'RSSMRA80A01H501U', raw: 'TINIT-RSSMRA80A01H501U' },
    });
    assert.deepEqual(parseNationalIdentifier('PASDE-C01X00T47'), {
      ok: true,
      id: { type: 'PAS', country: 'DE', value: 'C01X00T47', raw: 'PASDE-C01X00T47' },
    });
  });

  it('keeps the hyphen inside a Latvian code: PNOLV-DDMMYY-NNNNN', () => {
    const result = parseNationalIdentifier('PNOLV-210860-10528');
    assert.deepEqual(result, {
      ok: true,
      id: { type: 'PNO', country: 'LV', value: '210860-10528', raw: 'PNOLV-210860-10528' },
    });
  });

  it('refuses legal-person identifiers and free text when no legacy rule applies', () => {
    assert.equal(parseNationalIdentifier('VATES-R0599999J').ok, false);
    assert.equal(parseNationalIdentifier('NTREE-10747013').ok, false);
    assert.equal(parseNationalIdentifier('00000000T').ok, false);
  });

  it('reads a bare legacy value with the profile rule', () => {
    assert.deepEqual(parseNationalIdentifier('00000000T', { type: 'IDC', country: 'ES' }), {
      ok: true,
      id: { type: 'IDC', country: 'ES', value: '00000000T', raw: '00000000T' },
    });
    assert.deepEqual(parseNationalIdentifier('BI123456789', {
      type: 'IDC',
      country: 'PT',
      prefix: 'BI',
    }), { ok: true, id: { type: 'IDC', country: 'PT', value: '123456789', raw: 'BI123456789' } });
  });

  it('validates the identifier of the country it names and hides the value in the detail', () => {
    const result = parseNationalIdentifier('IDCES-99999999A');
    assert.equal(result.ok, false);
    assert.ok(!result.ok && !result.detail.includes('99999999'));
    assert.ok(!result.ok && result.detail.startsWith('IDCES: '));
  });
});

describe('Spanish DNI and NIE check letters', () => {
  it('accepts the published fictitious DNIs and NIEs', () => {
    for (const value of ['00000000T', '99999999R', '99999972C', '99999018D', '99999002Q']) {
      assert.deepEqual(checkSpanishId(value), { ok: true }, 'a valid DNI');
    }
    for (const value of ['X9999999J', 'Y0000000Z', 'Z0000000M']) {
      assert.deepEqual(checkSpanishId(value), { ok: true }, 'a valid NIE');
    }
  });

  it('accepts every 8-digit number with its mod-23 letter and refuses any other letter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 1, max: 22 }),
        (number, shift) => {
          const digits = String(number).padStart(8, '0');
          const right = LETTERS[number % 23]!;
          const wrong = LETTERS[(number + shift) % 23]!;
          assert.equal(checkSpanishId(`${digits}${right}`).ok, true);
          assert.equal(checkSpanishId(`${digits}${wrong}`).ok, false);
        }),
    );
  });

  it('refuses lower-case letters, separators and short numbers', () => {
    assert.equal(checkSpanishId('00000000t').ok, false);
    assert.equal(checkSpanishId('00000000-T').ok, false);
    assert.equal(checkSpanishId('0000000T').ok, false);
    assert.equal(checkSpanishId('W0000000T').ok, false);
  });
});

describe('Estonian personal codes', () => {
  it('accepts codes with a valid check digit and refuses a changed digit', () => {
    assert.deepEqual(checkEstonianCode('38001085718'), { ok: true });
    assert.deepEqual(checkEstonianCode('61710030163'), { ok: true });
    assert.equal(checkEstonianCode('38001085719').ok, false);
    assert.equal(checkEstonianCode('98001085718').ok, false);
  });

  it('uses the second weight round when the first gives 10', () => {
    // 3 7 6 0 5 1 5 0 0 0 → first round 10, second round 3 (well-known example code).
    assert.deepEqual(checkEstonianCode('37605030299'), { ok: true });
  });

  it('refuses an impossible birth date even with a matching check digit', () => {
    assert.equal(checkEstonianCode('38002305712').ok, false);
  });

  it('gives the birth date from the century-and-sex digit', () => {
    const pno = (value: string) => ({ type: 'PNO', country: 'EE', value, raw: value });
    assert.equal(birthdateOf(pno('38001085718')), '1980-01-08');
    assert.equal(birthdateOf(pno('61710030163')), '2017-10-03');
  });
});

describe('Belgian national register numbers', () => {
  it('accepts a number born in 2000 or later (check over 2 followed by nine digits)', () => {
    assert.deepEqual(checkBelgianNumber('01050399864'), { ok: true });
    const id = { type: 'PNO', country: 'BE', value: '01050399864', raw: '01050399864' };
    assert.equal(birthdateOf(id), '2001-05-03');
  });

  it('accepts a number born before 2000 and dates it in the 1900s', () => {
    // 85073100328: 97 - (850731003 mod 97) = 28
    assert.deepEqual(checkBelgianNumber('85073100328'), { ok: true });
    const id = { type: 'PNO', country: 'BE', value: '85073100328', raw: '85073100328' };
    assert.equal(birthdateOf(id), '1985-07-31');
  });

  it('round-trips any birth date 1900-2099 through number, check digits and birthdate', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'),
          noInvalidDate: true }),
        fc.integer({ min: 1, max: 997 }),
        (date, serial) => {
          const iso = date.toISOString().slice(0, 10);
          const body = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}` +
            String(serial).padStart(3, '0');
          const prefix = date.getUTCFullYear() >= 2000 ? 2_000_000_000 : 0;
          const check = String(97 - ((prefix + Number(body)) % 97)).padStart(2, '0');
          const value = `${body}${check}`;
          assert.deepEqual(checkBelgianNumber(value), { ok: true });
          assert.equal(birthdateOf({ type: 'PNO', country: 'BE', value, raw: value }), iso);
        },
      ),
    );
  });

  it('refuses wrong check digits', () => {
    assert.equal(checkBelgianNumber('01050399865').ok, false);
    assert.equal(checkBelgianNumber('0105039986').ok, false);
  });

  it('gives no birth date when the register does not know the day', () => {
    const body = '850700003';
    const check = String(97 - (Number(body) % 97)).padStart(2, '0');
    const value = `${body}${check}`;
    assert.deepEqual(checkBelgianNumber(value), { ok: true });
    assert.equal(birthdateOf({ type: 'PNO', country: 'BE', value, raw: value }), undefined);
  });
});

describe('Latvian personal codes', () => {
  it('dates an old-format code DDMMYY-CNNNN with its century digit', () => {
    assert.deepEqual(checkLatvianCode('210860-10528'), { ok: true });
    const id = { type: 'PNO', country: 'LV', value: '210860-10528', raw: 'PNOLV-210860-10528' };
    assert.equal(birthdateOf(id), '1960-08-21');
  });

  it('refuses an old-format code with a wrong check digit', () => {
    assert.equal(checkLatvianCode('210860-10529').ok, false);
  });

  it('accepts a new code starting 32 and gives it no birth date', () => {
    assert.deepEqual(checkLatvianCode('321922-33032'), { ok: true });
    const id = { type: 'PNO', country: 'LV', value: '321922-33032', raw: 'PNOLV-321922-33032' };
    assert.equal(birthdateOf(id), undefined);
  });
});

describe('Finnish SATU and identifiers without a birth date', () => {
  it('checks the SATU mod-31 character', () => {
    for (const value of ['99902038C', '999020016', '99900335E', '99901112H']) {
      assert.deepEqual(checkFinnishSatu(value), { ok: true });
    }
    assert.equal(checkFinnishSatu('99902038D').ok, false);
  });

  it('never derives a birth date from a DNI, a SATU or a passport number', () => {
    const of = (type: string, country: string, value: string) =>
      birthdateOf({ type, country, value, raw: value });
    assert.equal(of('IDC', 'ES', '00000000T'), undefined);
    assert.equal(of('SATU', 'FI', '99902038C'), undefined);
    assert.equal(of('PAS', 'EE', '38001085718'), undefined);
  });
});
