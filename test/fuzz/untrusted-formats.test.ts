import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  FORWARDED_CERTIFICATE_FORMATS,
  forwardedCertificateParser,
  ForwardedCertificateSyntaxError,
} from '../../src/server/forwarded-certificate/index.js';
import { CrlFormatError, parseCrl } from '../../src/pki/revocation/crl-parse.js';
import { fuzzParameters } from './budget.js';
import { derLikeBytes } from './mutate.js';

/** Proxy headers and CRLs come from outside: bad input is a syntax error, nothing else. */
describe('fuzz: forwarded certificate headers and CRLs', () => {
  for (const format of FORWARDED_CERTIFICATE_FORMATS) {
    it(`the ${format} header parser throws only ForwardedCertificateSyntaxError`, () => {
      const parser = forwardedCertificateParser(format);
      const names = parser.headerNames();
      const value = fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.string({ unit: fc.constantFrom(...'%:;,="\\-+/=ABCDEFabcdef0123456789 '.split('')), maxLength: 300 }),
        fc.constant('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'),
      );
      fc.assert(
        fc.property(fc.array(value, { minLength: 1, maxLength: names.length }), (values) => {
          const headers = new Map(values.map((v, index) => [names[index]!, v]));
          try {
            const chain = parser.parse(headers);
            assert.ok(Array.isArray(chain));
          } catch (error) {
            assert.ok(error instanceof ForwardedCertificateSyntaxError, `${format}: ${(error as Error).stack}`);
          }
        }),
        fuzzParameters(),
      );
    });
  }

  it('the CRL parser throws only CrlFormatError', () => {
    fc.assert(
      fc.property(derLikeBytes(), (bytes) => {
        try {
          parseCrl(bytes, { signerSpkis: [], onEntry: () => undefined });
        } catch (error) {
          assert.ok(error instanceof CrlFormatError, (error as Error).stack);
        }
      }),
      fuzzParameters(),
    );
  });
});
