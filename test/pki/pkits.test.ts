import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { validatePath } from '../../src/pki/validate-path.js';
import { repoRoot } from './helpers.js';

/**
 * NIST PKITS (2011) under its default inputs: initial policy set anyPolicy, no explicit policy
 * required, policy mapping allowed, validated at a fixed time. Cases of expected.json, plus
 * sections 4.3.1, 4.3.2 and 4.13, whose file names carry the answer. Prints a per-section
 * table of agreed/total at the end.
 */

const PKITS = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'pkits');
const AT = new Date('2020-06-01T00:00:00Z');

interface ExpectedCase {
  id: string;
  ee: string;
  intermediates: string[];
  crls: string[];
  expected: 'SUCCESS' | 'FAILURE';
  certvalidator_msg: string | null;
}

interface Case {
  id: string;
  section: string;
  ee: string;
  /** Presented with the EE; undefined means "let path building find them in the store". */
  intermediates: string[] | undefined;
  expected: 'SUCCESS' | 'FAILURE';
  notApplicable?: string;
}

// DSA is outside WebCrypto: PKITS README asks these be reported, not passed.
const DSA = new Set(['4.1.4', '4.1.5']);
// Whole sections about CRLs: they wait for revocation checking (step 4).
const CRL_SECTIONS = new Set(['4.4', '4.14', '4.15']);

function sectionOf(id: string): string {
  const digits = id.slice(0, 5);
  const major = Number(digits.slice(1, 3));
  const minor = Number(digits.slice(3, 5));
  return `4.${major}.${minor}`;
}

function majorOf(section: string): string {
  return section.split('.').slice(0, 2).join('.');
}

function notApplicable(entry: ExpectedCase, section: string): string | undefined {
  if (DSA.has(section)) return 'DSA';
  if (CRL_SECTIONS.has(majorOf(section))) return 'revocation (CRLs) not yet checked';
  const message = (entry.certvalidator_msg ?? '').toLowerCase();
  if (entry.expected === 'FAILURE' && /crl|revoked|revocation/.test(message)) {
    return 'its failure comes from a CRL: revocation not yet checked';
  }
  return undefined;
}

function expectedCases(): Case[] {
  const entries = JSON.parse(
    readFileSync(path.join(PKITS, 'expected.json'), 'utf8'),
  ) as ExpectedCase[];
  return entries.map((entry) => {
    const section = sectionOf(entry.id);
    const why = notApplicable(entry, section);
    return {
      id: entry.id,
      section,
      ee: entry.ee,
      intermediates: entry.intermediates,
      expected: entry.expected,
      ...(why ? { notApplicable: why } : {}),
    };
  });
}

/** 4.3.1, 4.3.2 and 4.13: the EE file name says Valid or Invalid. */
function namedCases(): Case[] {
  const files = readdirSync(path.join(PKITS, 'certs'));
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

function load(file: string): ParsedCertificate {
  return ParsedCertificate.fromDer(readFileSync(path.join(PKITS, 'certs', file)));
}

const anchorStore = TrustStore.fromCertificates({
  anchors: [
    { certificate: load('TrustAnchorRootCertificate.crt'), environment: 'test', source: 'pkits' },
  ],
});

// For the named cases every PKITS CA certificate is a known intermediate: the builder finds
// the path itself.
const allCaStore = TrustStore.fromCertificates({
  anchors: anchorStore.anchors().map((anchor) => ({ ...anchor })),
  intermediates: readdirSync(path.join(PKITS, 'certs'))
    .filter((file) => !file.endsWith('EE.crt') && file !== 'TrustAnchorRootCertificate.crt')
    .map(load),
});

const tally = new Map<string, { agreed: number; total: number; notApplicable: number }>();

function count(section: string, outcome: 'agreed' | 'disagreed' | 'notApplicable'): void {
  const key = majorOf(section);
  const row = tally.get(key) ?? { agreed: 0, total: 0, notApplicable: 0 };
  if (outcome === 'notApplicable') row.notApplicable += 1;
  else {
    row.total += 1;
    if (outcome === 'agreed') row.agreed += 1;
  }
  tally.set(key, row);
}

describe('NIST PKITS', () => {
  for (const testCase of [...expectedCases(), ...namedCases()]) {
    const title = `${testCase.section} ${testCase.id} ends in ${testCase.expected}`;
    if (testCase.notApplicable) {
      count(testCase.section, 'notApplicable');
      it(title, { skip: `not applicable yet: ${testCase.notApplicable}` }, () => {});
      continue;
    }
    it(title, async () => {
      const presented = [testCase.ee, ...(testCase.intermediates ?? [])].map(
        (file) => load(file).der,
      );
      const store = testCase.intermediates === undefined ? allCaStore : anchorStore;
      const result = await validatePath(presented, store, { at: AT, decisionTtlMs: 0 });
      const actual = result.ok ? 'SUCCESS' : 'FAILURE';
      count(testCase.section, actual === testCase.expected ? 'agreed' : 'disagreed');
      const why = result.ok ? 'accepted' : `${result.code}: ${result.detail}`;
      assert.equal(actual, testCase.expected, why);
    });
  }

  after(() => {
    const rows = [...tally.entries()].sort(([a], [b]) =>
      a.localeCompare(b, 'en', { numeric: true }),
    );
    const lines = rows.map(
      ([section, row]) =>
        `${section.padEnd(6)} ${`${row.agreed}/${row.total}`.padStart(7)}` +
        (row.notApplicable > 0 ? `  (+${row.notApplicable} not applicable yet)` : ''),
    );
    const agreed = rows.reduce((sum, [, row]) => sum + row.agreed, 0);
    const total = rows.reduce((sum, [, row]) => sum + row.total, 0);
    console.log(['PKITS section  agreed/total', ...lines, `all    ${agreed}/${total}`].join('\n'));
  });
});
