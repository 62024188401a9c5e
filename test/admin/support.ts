import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { Agent, FormData, request } from 'undici';
import { certificatePem, issue, privateKeyPem, type Issued } from '../../src/cli/dev-pki.js';
import type { TestIdp } from '../support/idp.js';

/** Helpers of the admin tests: an admin client certificate, requests with or without it. */

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789abcdefghij';

/** A self-signed client certificate, as an operator would make for an administrator. */
export async function adminCertificate(cn = 'eid-idp administrator'): Promise<Issued> {
  return issue({
    subject: [{ CN: [cn] }],
    keyUsage: x509.KeyUsageFlags.digitalSignature,
    extendedKeyUsage: ['1.3.6.1.5.5.7.3.2'],
  });
}

/** The SHA-256 fingerprint an operator puts in admin.certificateFingerprints. */
export function sha256Of(issued: Issued): string {
  return createHash('sha256').update(new Uint8Array(issued.certificate.rawData)).digest('hex');
}

export interface AdminResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One request to the certificate origin on a new TLS connection, presenting `certificate`
 * in the handshake when given (a real client-certificate handshake).
 */
export async function adminRequest(
  idp: TestIdp,
  pathAndQuery: string,
  options: {
    method?: 'GET' | 'POST';
    certificate?: Issued;
    token?: string;
    headers?: Record<string, string>;
    body?: string | Uint8Array | FormData;
  } = {},
): Promise<AdminResponse> {
  const agent = new Agent({
    connect: {
      ca: idp.tlsCaPem,
      ...(options.certificate
        ? {
            cert: certificatePem(options.certificate),
            key: await privateKeyPem(options.certificate.keys),
          }
        : {}),
    },
    pipelining: 0,
  });
  try {
    const response = await request(`${idp.certificateOrigin}${pathAndQuery}`, {
      method: options.method ?? 'GET',
      dispatcher: agent,
      body: options.body,
      headers: {
        'accept-language': 'en',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: await response.body.text(),
    };
  } finally {
    await agent.close();
  }
}

/** The hidden CSRF token of the admin page's preview form. */
export function csrfTokenOf(page: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page);
  if (!match) throw new Error('the admin page has no CSRF token');
  return match[1]!;
}

/** The preview form as a browser would send it (multipart/form-data). */
export function previewForm(fields: {
  csrf?: string;
  pem?: string;
  scope?: string;
  der?: Uint8Array;
}): FormData {
  const form = new FormData();
  if (fields.csrf !== undefined) form.set('csrf', fields.csrf);
  if (fields.pem !== undefined) form.set('pem', fields.pem);
  if (fields.scope !== undefined) form.set('scope', fields.scope);
  if (fields.der !== undefined) {
    form.set(
      'certificate',
      new Blob([Buffer.from(fields.der)], { type: 'application/pkix-cert' }),
      'card.cer',
    );
  }
  return form;
}

/** Writes a claim-mapping file in a new temporary directory; returns its path. */
export function writeMappingFile(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-mapping-'));
  const file = path.join(dir, 'claim-mapping.yaml');
  writeFileSync(file, text);
  return file;
}

/** The certificate as PEM text, leaf first, as an administrator would paste it. */
export function pemOf(...certificates: Issued[]): string {
  return certificates.map((certificate) => certificatePem(certificate)).join('');
}
