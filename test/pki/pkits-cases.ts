import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { validatePath } from '../../src/pki/validate-path.js';
import { SHARED_DIR } from '../support/paths.js';
import { runPkitsWithCrls } from './revocation/pkits-revocation.js';

/**
 * NIST PKITS (2011) cases under the default inputs (initial policy set anyPolicy, no explicit
 * policy required, policy mapping allowed), validated at a fixed time: every case of
 * expected.json plus sections 4.3.1, 4.3.2 and 4.13, whose file names carry the answer.
 * Shared by test/pki/pkits.test.ts and scripts/pkits-table.ts (the README's table).
 */

export const PKITS_DIR = path.join(SHARED_DIR, 'fixtures', 'pkits');
export const PKITS_AT = new Date('2020-06-01T00:00:00Z');

interface ExpectedEntry {
  id: string;
  ee: string;
  intermediates: string[];
  crls: string[];
  expected: 'SUCCESS' | 'FAILURE';
  certvalidator_msg: string | null;
}

export interface PkitsCase {
  id: string;
  /** e.g. 4.1.4 */
  section: string;
  ee: string;
  /** Presented with the EE; undefined means "let path building find them in the store". */
  intermediates: string[] | undefined;
  expected: 'SUCCESS' | 'FAILURE';
  /**
   * The case's CRLs (expected.json): the path is then also checked for revocation with them,
   * by the server's CRL reader and verdict (test/pki/revocation/pkits-revocation.ts).
   */
  crls?: string[];
  /** Why the case does not apply to this engine, when it does not. */
  notApplicable?: string;
}

export const NOT_APPLICABLE = {
  dsa:
    'DSA signatures: WebCrypto offers no DSA and no eID card uses it, so the engine verifies ' +
    'only RSA PKCS#1 v1.5, RSA-PSS and ECDSA and refuses DSA-signed certificates',
  crl:
    'indirect CRLs (a cRLIssuer in the distribution point, certificateIssuer entries) are not ' +
    'used: such a CRL gives no answer, a known limitation (docs/revocation.md)',
} as const;

/** PKITS section titles (NIST PKITS 2011, section 4). */
export const SECTION_TITLES: Record<string, string> = {
  '4.1': 'Signature verification',
  '4.2': 'Validity periods',
  '4.3': 'Verifying name chaining',
  '4.4': 'Basic certificate revocation',
  '4.5': 'Self-issued certificates',
  '4.6': 'Basic constraints',
  '4.7': 'Key usage',
  '4.8': 'Certificate policies',
  '4.9': 'Require explicit policy',
  '4.10': 'Policy mappings',
  '4.11': 'Inhibit policy mapping',
  '4.12': 'Inhibit anyPolicy',
  '4.13': 'Name constraints',
  '4.14': 'Distribution points',
  '4.15': 'Delta-CRLs',
  '4.16': 'Private certificate extensions',
};

const DSA = new Set(['4.1.4', '4.1.5']);
// 4.14.22–4.14.35 need indirect CRLs.
const INDIRECT_CRL_CASES = /^41(42[2-9]|43[0-5])_/;

function sectionOf(id: string): string {
  const major = Number(id.slice(1, 3));
  const minor = Number(id.slice(3, 5));
  return `4.${major}.${minor}`;
}

export function majorOf(section: string): string {
  return section.split('.').slice(0, 2).join('.');
}

function notApplicable(entry: ExpectedEntry, section: string): string | undefined {
  if (DSA.has(section)) return NOT_APPLICABLE.dsa;
  // Every other case runs with its CRLs (test/pki/revocation/pkits-revocation.ts).
  if (INDIRECT_CRL_CASES.test(entry.id)) return NOT_APPLICABLE.crl;
  return undefined;
}

function expectedCases(): PkitsCase[] {
  const entries = JSON.parse(
    readFileSync(path.join(PKITS_DIR, 'expected.json'), 'utf8'),
  ) as ExpectedEntry[];
  return entries.map((entry) => {
    const section = sectionOf(entry.id);
    const why = notApplicable(entry, section);
    return {
      id: entry.id,
      section,
      ee: entry.ee,
      intermediates: entry.intermediates,
      expected: entry.expected,
      crls: entry.crls,
      ...(why ? { notApplicable: why } : {}),
    };
  });
}

/** 4.3.1, 4.3.2 and 4.13: the EE file name says Valid or Invalid. */
function namedCases(): PkitsCase[] {
  const files = readdirSync(path.join(PKITS_DIR, 'certs')).sort();
  const pattern = /^(Valid|Invalid)(NameChaining(Order)?Test[12]|.*nameConstraintsTest\d+)EE\.crt$/;
  return files
    .filter((file) => pattern.test(file))
    .map((file) => ({
      id: file.replace(/EE\.crt$/, ''),
      section: file.includes('nameConstraints') ? '4.13' : '4.3',
      ee: file,
      intermediates: undefined,
      expected: file.startsWith('Valid') ? ('SUCCESS' as const) : ('FAILURE' as const),
    }));
}

export function pkitsCases(): PkitsCase[] {
  return [...expectedCases(), ...namedCases()];
}

function load(file: string): ParsedCertificate {
  return ParsedCertificate.fromDer(readFileSync(path.join(PKITS_DIR, 'certs', file)));
}

let stores: { anchorOnly: TrustStore; allCas: TrustStore } | undefined;

function pkitsStores() {
  if (stores) return stores;
  const anchor = load('TrustAnchorRootCertificate.crt');
  const anchors = [{ certificate: anchor, environment: 'test' as const, source: 'pkits' }];
  stores = {
    anchorOnly: TrustStore.fromCertificates({ anchors }),
    // For the named cases every PKITS CA certificate is a known intermediate: the builder
    // finds the path itself.
    allCas: TrustStore.fromCertificates({
      anchors,
      intermediates: readdirSync(path.join(PKITS_DIR, 'certs'))
        .filter((file) => !file.endsWith('EE.crt') && file !== 'TrustAnchorRootCertificate.crt')
        .map(load),
    }),
  };
  return stores;
}

export interface PkitsOutcome {
  actual: 'SUCCESS' | 'FAILURE';
  /** accepted, or the refusal code and detail */
  why: string;
}

export async function runPkitsCase(testCase: PkitsCase): Promise<PkitsOutcome> {
  if (testCase.crls !== undefined) {
    return runPkitsWithCrls({
      ee: testCase.ee,
      intermediates: testCase.intermediates ?? [],
      crls: testCase.crls,
    });
  }
  const presented = [testCase.ee, ...(testCase.intermediates ?? [])].map((file) => load(file).der);
  const { anchorOnly, allCas } = pkitsStores();
  const store = testCase.intermediates === undefined ? allCas : anchorOnly;
  const result = await validatePath(presented, store, { at: PKITS_AT, decisionTtlMs: 0 });
  return result.ok
    ? { actual: 'SUCCESS', why: 'accepted' }
    : { actual: 'FAILURE', why: `${result.code}: ${result.detail}` };
}

export interface SectionRow {
  section: string;
  cases: number;
  agree: number;
  notApplicable: number;
  reasons: string[];
}

/** One row per PKITS section, in section order. */
export function tabulate(
  results: Array<{ testCase: PkitsCase; outcome?: PkitsOutcome }>,
): SectionRow[] {
  const rows = new Map<string, SectionRow>();
  for (const { testCase, outcome } of results) {
    const key = majorOf(testCase.section);
    const row = rows.get(key) ?? { section: key, cases: 0, agree: 0, notApplicable: 0, reasons: [] };
    row.cases += 1;
    if (testCase.notApplicable) {
      row.notApplicable += 1;
      if (!row.reasons.includes(testCase.notApplicable)) row.reasons.push(testCase.notApplicable);
    } else if (outcome?.actual === testCase.expected) {
      row.agree += 1;
    }
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => a.section.localeCompare(b.section, 'en', { numeric: true }));
}

/** The markdown table the README's testing notes carry. */
export function markdownTable(rows: SectionRow[]): string {
  const short = (reason: string) =>
    reason === NOT_APPLICABLE.dsa ? 'DSA (a)' : reason === NOT_APPLICABLE.crl ? 'CRL (b)' : reason;
  const lines = [
    '| section | | cases | agree | not applicable |',
    '| --- | --- | ---: | ---: | --- |',
    ...rows.map(
      (row) =>
        `| ${row.section} | ${SECTION_TITLES[row.section] ?? ''} | ${row.cases} | ${row.agree} | ` +
        `${row.notApplicable > 0 ? `${row.notApplicable}: ${row.reasons.map(short).join(', ')}` : ''} |`,
    ),
  ];
  const total = rows.reduce(
    (sum, row) => ({
      cases: sum.cases + row.cases,
      agree: sum.agree + row.agree,
      notApplicable: sum.notApplicable + row.notApplicable,
    }),
    { cases: 0, agree: 0, notApplicable: 0 },
  );
  lines.push(`| all | | ${total.cases} | ${total.agree} | ${total.notApplicable} |`);
  lines.push('');
  lines.push(`(a) ${NOT_APPLICABLE.dsa}.`);
  lines.push(`(b) ${NOT_APPLICABLE.crl[0]?.toUpperCase()}${NOT_APPLICABLE.crl.slice(1)}.`);
  return lines.join('\n');
}

export const README_MARKERS = {
  start: '<!-- pkits-table:start (npm run pkits-table -- --write) -->',
  end: '<!-- pkits-table:end -->',
} as const;

/** The table block currently in the README, or undefined when the markers are missing. */
export function readmeTable(readme: string): string | undefined {
  const start = readme.indexOf(README_MARKERS.start);
  const end = readme.indexOf(README_MARKERS.end);
  if (start === -1 || end === -1 || end < start) return undefined;
  return readme.slice(start + README_MARKERS.start.length, end).trim();
}
