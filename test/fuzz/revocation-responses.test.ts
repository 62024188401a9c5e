import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { certificatePem } from '../../src/cli/dev-pki.js';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { certIdFor } from '../../src/pki/revocation/cert-id.js';
import { CrlFormatError, parseCrl } from '../../src/pki/revocation/crl-parse.js';
import {
  OcspResponseError,
  verifyOcspResponse,
  type OcspCheckContext,
} from '../../src/pki/revocation/ocsp-response.js';
import { makeOpensslCa } from '../support/openssl-ca.js';
import { makeDniePki } from '../support/pki.js';
import { requireCommand } from '../support/tools.js';
import { fuzzParameters } from './budget.js';
import { mutatedDer } from './mutate.js';

/**
 * OCSP responses and CRLs come from services on the network: whatever their bytes, the
 * parsers answer with a verdict or their own error, which the revocation policy turns into a
 * refusal. Seeds are real `openssl ocsp` and `openssl ca -gencrl` output, mutated.
 */
describe('fuzz: OCSP responses and CRLs from real OpenSSL output, mutated', () => {
  let ocspSeed: Uint8Array;
  let crlSeed: Uint8Array;
  let context: OcspCheckContext;
  let signerSpki: Uint8Array;

  before(async () => {
    requireCommand('openssl', 'openssl');
    const pki = await makeDniePki();
    const leaf = await pki.citizen();
    const ca = await makeOpensslCa(pki.issuing);
    ca.register(leaf);
    ca.revoke(await pki.citizen({ dni: '12345678Z' }), 'keyCompromise');
    crlSeed = await ca.generateCrl();
    const leafFile = path.join(ca.dir, 'fuzz-leaf.pem');
    writeFileSync(leafFile, certificatePem(leaf));
    const request = path.join(ca.dir, 'fuzz-request.der');
    const response = path.join(ca.dir, 'fuzz-response.der');
    execFileSync('openssl', [
      'ocsp', '-issuer', ca.certFile, '-cert', leafFile, '-no_nonce', '-reqout', request,
    ]);
    execFileSync('openssl', [
      'ocsp', '-index', ca.indexFile, '-rsigner', ca.certFile, '-rkey', ca.keyFile, '-CA', ca.certFile,
      '-reqin', request, '-respout', response, '-ndays', '1',
    ], { stdio: 'ignore' });
    ocspSeed = new Uint8Array(readFileSync(response));
    const issuer = ParsedCertificate.fromDer(new Uint8Array(pki.issuing.certificate.rawData));
    signerSpki = issuer.spkiDer;
    context = {
      id: certIdFor(ParsedCertificate.fromDer(new Uint8Array(leaf.certificate.rawData)), issuer),
      issuer,
      at: new Date(),
      clockSkewMs: 60_000,
      maxAgeWithoutNextUpdateMs: 3600_000,
    };
  });

  it('the seed OCSP response is good, so mutations start from a valid answer', () => {
    assert.equal(verifyOcspResponse(ocspSeed, context).status, 'good');
  });

  it('verifyOcspResponse: a verdict or OcspResponseError, never anything else', () => {
    fc.assert(
      fc.property(mutatedDer([ocspSeed]), (bytes) => {
        try {
          verifyOcspResponse(bytes, context);
        } catch (error) {
          assert.ok(error instanceof OcspResponseError, (error as Error).stack);
        }
      }),
      fuzzParameters(),
    );
  });

  it('parseCrl: a header or CrlFormatError, never anything else', () => {
    fc.assert(
      fc.property(mutatedDer([crlSeed]), (bytes) => {
        try {
          parseCrl(bytes, { signerSpkis: [signerSpki], onEntry: () => undefined });
        } catch (error) {
          assert.ok(error instanceof CrlFormatError, (error as Error).stack);
        }
      }),
      fuzzParameters(),
    );
  });
});
