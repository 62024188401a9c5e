import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { serializeItem, serializeList, Token } from 'structured-headers';
import { certificatePem, type Issued } from '../../src/cli/dev-pki.js';
import {
  forwardedCertificateParser,
  ForwardedCertificateSyntaxError,
  type ForwardedCertificateFormat,
} from '../../src/server/forwarded-certificate/index.js';
import { EID_FIXTURES_DIR } from '../support/paths.js';
import { makeDniePki } from '../support/pki.js';

/** Each format's encoding, written from the proxies' documentation, to feed the parsers. */
const encode = {
  nginx: (chain: Uint8Array[]) => ({ 'x-ssl-client-cert': encodeURIComponent(pem(chain.slice(0, 1))) }),
  awsAlb: (chain: Uint8Array[]) => ({
    // ALB leaves +, = and / unescaped.
    'x-amzn-mtls-clientcert': encodeURIComponent(pem(chain))
      .replace(/%2B/g, '+')
      .replace(/%3D/g, '=')
      .replace(/%2F/g, '/'),
  }),
  traefik: (chain: Uint8Array[]) => ({
    'x-forwarded-tls-client-cert': chain
      .map((der) => encodeURIComponent(Buffer.from(der).toString('base64')))
      .join(','),
  }),
  rfc9440: (chain: Uint8Array[]) => {
    const headers: Record<string, string> = { 'client-cert': serializeItem([toArrayBuffer(chain[0]!), new Map()]) };
    if (chain.length > 1) {
      headers['client-cert-chain'] = serializeList(chain.slice(1).map((der) => [toArrayBuffer(der), new Map()]));
    }
    return headers;
  },
  envoy: (chain: Uint8Array[]) => ({
    'x-forwarded-client-cert':
      'By=spiffe://idp.example/ns/eid;Hash=0123abcd;' +
      `Cert="${encodeURIComponent(pem(chain.slice(0, 1)))}";` +
      `Chain="${encodeURIComponent(pem(chain))}";` +
      'Subject="C=ES,SERIALNUMBER=x,CN=\\"quoted\\"";URI=',
  }),
};

function pem(chain: Uint8Array[]): string {
  return chain.map((der) => x509.PemConverter.encode(toArrayBuffer(der), 'CERTIFICATE')).join('\n');
}

function toArrayBuffer(der: Uint8Array): ArrayBuffer {
  return der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer;
}

function derOf(issued: Issued): Uint8Array {
  return new Uint8Array(issued.certificate.rawData);
}

function parse(format: ForwardedCertificateFormat, headers: Record<string, string>, name?: string): Uint8Array[] {
  return forwardedCertificateParser(format).parse(new Map(Object.entries(headers)), name);
}

function assertSameChain(actual: Uint8Array[], expected: Uint8Array[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((der, index) => assert.ok(Buffer.from(der).equals(Buffer.from(expected[index]!)), `certificate ${index}`));
}

function assertRefused(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ForwardedCertificateSyntaxError, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

describe('forwarded client certificate parsers', () => {
  let generated: Uint8Array[];
  let fixture: Uint8Array[];

  before(async () => {
    const pki = await makeDniePki();
    const citizen = await pki.citizen();
    generated = [derOf(citizen), derOf(pki.issuing), derOf(pki.root)];
    // A real card certificate and its real issuing CA from the shared fixtures.
    const read = (file: string) => x509.PemConverter.decode(readFileSync(path.join(EID_FIXTURES_DIR, file), 'utf8'));
    fixture = [
      ...read('TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-AUTH-activo.pem'),
      ...read('CA-ES-AC-DNIE-004-intermediate.pem'),
    ].map((buffer) => new Uint8Array(buffer));
    assert.equal(fixture.length, 2);
  });

  for (const [label, chainOf] of [
    ['generated DNIe-profile chain', () => generated],
    ['real DNIe fixture chain', () => fixture],
  ] as const) {
    describe(label, () => {
      it('nginx: URL-encoded PEM of the leaf', () => {
        const chain = chainOf();
        assertSameChain(parse('nginx', encode.nginx(chain)), chain.slice(0, 1));
      });
      it('nginx: a header name of the administrator\'s choice', () => {
        const chain = chainOf();
        const headers = { 'ssl-client-cert': encode.nginx(chain)['x-ssl-client-cert'] };
        assertSameChain(parse('nginx', headers, 'SSL-Client-Cert'), chain.slice(0, 1));
        assert.deepEqual(parse('nginx', headers), [], 'the default name is not present');
      });
      it('AWS ALB: URL-encoded PEM chain with + = / left as they are', () => {
        const chain = chainOf();
        assertSameChain(parse('aws-alb', encode.awsAlb(chain)), chain);
      });
      it('Traefik: comma-separated base64 DER without armour', () => {
        const chain = chainOf();
        assertSameChain(parse('traefik', encode.traefik(chain)), chain);
      });
      it('RFC 9440: Client-Cert and Client-Cert-Chain byte sequences', () => {
        const chain = chainOf();
        assertSameChain(parse('rfc9440', encode.rfc9440(chain)), chain);
        assertSameChain(parse('rfc9440', encode.rfc9440(chain.slice(0, 1))), chain.slice(0, 1));
      });
      it('Envoy: XFCC Cert and Chain, quoted fields with separators inside', () => {
        const chain = chainOf();
        assertSameChain(parse('envoy', encode.envoy(chain)), chain);
      });
      it('Envoy: Cert alone', () => {
        const chain = chainOf();
        const value = `Hash=00;Cert="${encodeURIComponent(pem(chain.slice(0, 1)))}"`;
        assertSameChain(parse('envoy', { 'x-forwarded-client-cert': value }), chain.slice(0, 1));
      });
    });
  }

  it('no header or an empty one means no certificate, in every format', () => {
    for (const format of ['nginx', 'envoy', 'traefik', 'rfc9440', 'aws-alb'] as const) {
      assert.deepEqual(parse(format, {}), [], format);
    }
    assert.deepEqual(parse('nginx', { 'x-ssl-client-cert': '' }), []);
    assert.deepEqual(parse('envoy', { 'x-forwarded-client-cert': 'By=spiffe://x;Hash=00' }), []);
  });

  it('refuses malformed nginx and ALB values', () => {
    assertRefused(() => parse('nginx', { 'x-ssl-client-cert': '%E0%A4%A' }), /percent-encoding/);
    assertRefused(() => parse('nginx', { 'x-ssl-client-cert': 'hello' }), /PEM/);
    const key = x509.PemConverter.encode(new Uint8Array([1, 2, 3]).buffer, 'PRIVATE KEY');
    assertRefused(() => parse('nginx', { 'x-ssl-client-cert': encodeURIComponent(key) }), /PRIVATE KEY/);
    const withTrailer = `${pem(generated.slice(0, 1))}\nextra text`;
    assertRefused(() => parse('aws-alb', { 'x-amzn-mtls-clientcert': encodeURIComponent(withTrailer) }), /outside/);
    const truncated = pem(generated.slice(0, 1)).slice(0, 300);
    assertRefused(() => parse('aws-alb', { 'x-amzn-mtls-clientcert': encodeURIComponent(truncated) }), /PEM/);
  });

  it('refuses malformed Traefik values', () => {
    assertRefused(() => parse('traefik', { 'x-forwarded-tls-client-cert': 'not*base64' }), /base64/);
    assertRefused(
      () => parse('traefik', { 'x-forwarded-tls-client-cert': encodeURIComponent(pem(generated.slice(0, 1))) }),
      /armour/,
    );
    assertRefused(() => parse('traefik', { 'x-forwarded-tls-client-cert': 'QUJD,' }), /base64/);
  });

  it('refuses RFC 9440 values that are not byte sequences', () => {
    assertRefused(() => parse('rfc9440', { 'client-cert': 'abc' }), /byte sequence/);
    assertRefused(() => parse('rfc9440', { 'client-cert': ':not base64!:' }), /structured field/);
    assertRefused(() => parse('rfc9440', { 'client-cert': serializeItem([new Token('tok'), new Map()]) }), /byte sequence/);
    const leaf = serializeItem([toArrayBuffer(generated[0]!), new Map()]);
    assertRefused(() => parse('rfc9440', { 'client-cert': leaf, 'client-cert-chain': '(:AAAA:)' }), /inner list/);
    assertRefused(() => parse('rfc9440', { 'client-cert-chain': serializeList([[toArrayBuffer(generated[1]!), new Map()]]) }), /without/);
  });

  it('refuses Envoy values with several elements, mismatched Cert and Chain, or broken quoting', () => {
    const one = encode.envoy(generated)['x-forwarded-client-cert'];
    assertRefused(() => parse('envoy', { 'x-forwarded-client-cert': `${one},${one}` }), /2 elements/);
    const mismatched =
      `Cert="${encodeURIComponent(pem(generated.slice(1, 2)))}";Chain="${encodeURIComponent(pem(generated))}"`;
    assertRefused(() => parse('envoy', { 'x-forwarded-client-cert': mismatched }), /not the first/);
    assertRefused(() => parse('envoy', { 'x-forwarded-client-cert': 'Cert="abc' }), /unterminated/);
    assertRefused(() => parse('envoy', { 'x-forwarded-client-cert': 'Hash=1;Hash=2' }), /twice/);
    assertRefused(() => parse('envoy', { 'x-forwarded-client-cert': '=abc' }), /without a key/);
  });

  it('the generated certificates really are what the PEM helper wrote', async () => {
    // Guards the test's own encoder against silently encoding nothing.
    const pki = await makeDniePki();
    assert.match(certificatePem(pki.root), /BEGIN CERTIFICATE/);
    assert.ok(encode.nginx(generated)['x-ssl-client-cert'].length > 500);
  });
});
