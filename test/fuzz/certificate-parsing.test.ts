import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { EidError } from '../../src/errors.js';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { decideCertificate } from '../../src/pki/decision.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { EID_FIXTURES_DIR } from '../support/paths.js';
import { makeDniePki } from '../support/pki.js';
import { fuzzParameters } from './budget.js';
import { derLikeBytes, mutatedDer } from './mutate.js';

/** Certificate bytes come from the network: parsing them may refuse, never fail otherwise. */
function isRefusal(error: unknown): boolean {
  return error instanceof EidError && error.code === 'CERT_MALFORMED';
}

describe('fuzz: certificate parsing and the decision never fail except by refusing', () => {
  let seeds: Uint8Array[];
  let trustStore: TrustStore;

  before(async () => {
    const pki = await makeDniePki();
    const parsed = (der: Uint8Array) => ParsedCertificate.fromDer(der);
    const der = (issued: { certificate: { rawData: ArrayBuffer } }) =>
      new Uint8Array(issued.certificate.rawData);
    const fixtures = readdirSync(EID_FIXTURES_DIR)
      .filter((file) => file.endsWith('.pem'))
      .slice(0, 12)
      .flatMap((file) =>
        ParsedCertificate.fromPemOrDer(readFileSync(path.join(EID_FIXTURES_DIR, file), 'utf8')),
      )
      .map((certificate) => new Uint8Array(certificate.der));
    seeds = [der(await pki.citizen()), der(pki.issuing), der(pki.root), ...fixtures];
    trustStore = TrustStore.fromCertificates({
      anchors: [{ certificate: parsed(der(pki.root)), profile: 'es-dnie', environment: 'test' }],
      intermediates: [parsed(der(pki.issuing))],
    });
  });

  it('ParsedCertificate.fromDer on mutated certificates: a certificate or CERT_MALFORMED', () => {
    fc.assert(
      fc.property(mutatedDer(seeds), (bytes) => {
        let certificate: ParsedCertificate;
        try {
          certificate = ParsedCertificate.fromDer(bytes);
        } catch (error) {
          assert.ok(isRefusal(error), `parse: ${(error as Error).stack}`);
          return;
        }
        // Everything derived lazily must be as safe as the parse itself.
        try {
          certificate.facts();
          void certificate.isCa;
          void certificate.pathLength;
          void certificate.authorityKeyId;
          void certificate.subjectKeyId;
          void certificate.selfSigned;
        } catch (error) {
          assert.ok(isRefusal(error), `derived values: ${(error as Error).stack}`);
        }
      }),
      fuzzParameters(),
    );
  });

  it('ParsedCertificate.fromDer on random DER-like bytes: CERT_MALFORMED', () => {
    fc.assert(
      fc.property(derLikeBytes(), (bytes) => {
        assert.throws(() => ParsedCertificate.fromDer(bytes), isRefusal);
      }),
      fuzzParameters(),
    );
  });

  it('fromPemOrDer on mutated PEM text: certificates or CERT_MALFORMED', () => {
    const pemOf = (der: Uint8Array) => {
      const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
      return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
    };
    const pemText = fc
      .tuple(fc.constantFrom(...seeds), fc.string({ maxLength: 40 }), fc.nat(), fc.nat())
      .map(([der, noise, at, cut]) => {
        const text = pemOf(der);
        const where = at % text.length;
        return `${text.slice(0, where)}${noise}${text.slice(where, text.length - (cut % 20))}`;
      });
    fc.assert(
      fc.property(pemText, (text) => {
        try {
          ParsedCertificate.fromPemOrDer(text);
        } catch (error) {
          assert.ok(isRefusal(error), String(error));
        }
      }),
      fuzzParameters(),
    );
  });

  it('decideCertificate on mutated chains: always a decision, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutatedDer(seeds), { minLength: 1, maxLength: 4 }), async (chain) => {
        const decision = await decideCertificate(chain, { trustStore });
        assert.equal(typeof decision.ok, 'boolean');
        if (!decision.ok) assert.match(decision.code, /^[A-Z_]+$/);
      }),
      fuzzParameters(0.5),
    );
  });
});
