import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { EID_FIXTURES_DIR } from '../support/paths.js';

/**
 * A trust directory for the public eID fixtures, the way an administrator would configure
 * them: each CA-* file that has no issuer among the fixtures (a root, or an intermediate whose
 * root is not published here) is an anchor with its card profile and environment; the rest
 * are intermediates. The trust.yaml names the fixture files by absolute path, so nothing is
 * copied into the repository.
 */

export interface FixtureAnchor {
  file: string;
  profile: string;
  environment: 'production' | 'test';
}

export const FIXTURE_ANCHORS: readonly FixtureAnchor[] = [
  { file: 'CA-BE-Belgium-Root-CA4-root.pem', profile: 'be-eid', environment: 'production' },
  {
    file: 'CA-BE-Citizen-CA-202002-under-BRCA6-intermediate.pem',
    profile: 'be-eid',
    environment: 'production',
  },
  { file: 'CA-BE-eID-TEST-EC-Root-CA.pem', profile: 'be-eid', environment: 'test' },
  { file: 'CA-EE-ESTEID2018-prod-intermediate.pem', profile: 'ee-esteid', environment: 'production' },
  { file: 'CA-EE-ESTEID2025-prod-intermediate.pem', profile: 'ee-esteid', environment: 'production' },
  { file: 'CA-EE-TEST-of-ESTEID-SK2015-intermediate.pem', profile: 'ee-esteid', environment: 'test' },
  { file: 'CA-EE-TEST-of-ESTEID2018-intermediate.pem', profile: 'ee-esteid', environment: 'test' },
  { file: 'CA-EE-Test-ESTEID2025-intermediate.pem', profile: 'ee-esteid', environment: 'test' },
  { file: 'CA-ES-AC-RAIZ-DNIE-2-root.pem', profile: 'es-dnie', environment: 'production' },
  { file: 'CA-ES-AC-RAIZ-DNIE-root-2006.pem', profile: 'es-dnie', environment: 'production' },
  { file: 'CA-ES-AC-RAIZ-FNMT-RCM-root.pem', profile: 'es-fnmt', environment: 'production' },
  { file: 'CA-FI-DVV-TEST-Certificates-G5E.pem', profile: 'fi-fineid', environment: 'test' },
  { file: 'CA-FI-VRK-TEST-CA-G4.pem', profile: 'fi-fineid', environment: 'test' },
  { file: 'CA-PT-ECRaizEstado-002-root.pem', profile: 'pt-cc', environment: 'production' },
  { file: 'CA-PT-TESTE-Cartao-de-Cidadao-004-root.pem', profile: 'pt-cc', environment: 'test' },
];

export const FIXTURE_INTERMEDIATES: readonly string[] = [
  'CA-BE-eID-TEST-EC-Citizen-CA.pem',
  'CA-ES-AC-DNIE-001-intermediate.pem',
  'CA-ES-AC-DNIE-004-intermediate.pem',
  'CA-ES-AC-DNIE-005-intermediate.pem',
  'CA-ES-AC-DNIE-006-intermediate.pem',
  'CA-ES-AC-FNMT-Usuarios-intermediate.pem',
  'CA-PT-Cartao-de-Cidadao-008.pem',
  'CA-PT-EC-de-Autenticacao-do-CC-0019-P384.pem',
  'CA-PT-EC-de-Autenticacao-do-CC-0020-P384.pem',
  'CA-PT-TESTE-EC-de-Autenticacao-0013.pem',
];

/** Writes a fresh trust directory (trust.yaml only) and returns its path. */
export function writeFixtureTrustDirectory(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'eid-fixture-trust-'));
  const trust = {
    anchors: FIXTURE_ANCHORS.map((anchor) => ({
      ...anchor,
      file: path.join(EID_FIXTURES_DIR, anchor.file),
    })),
    intermediates: FIXTURE_INTERMEDIATES.map((file) => ({
      file: path.join(EID_FIXTURES_DIR, file),
    })),
  };
  writeFileSync(path.join(directory, 'trust.yaml'), stringify(trust));
  return directory;
}
