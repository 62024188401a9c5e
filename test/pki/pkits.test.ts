import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/paths.js';
import {
  markdownTable,
  NOT_APPLICABLE,
  pkitsCases,
  readmeTable,
  runPkitsCase,
  tabulate,
  type PkitsCase,
  type PkitsOutcome,
} from './pkits-cases.js';

/**
 * NIST PKITS (2011) through validatePath: every applicable case must agree with the expected
 * result. A case that does not apply says why (pkits-cases.ts); it is reported, never passed.
 * The last test checks that the per-section table in the README's testing notes is the one
 * this run produces (regenerate it with `npm run pkits-table -- --write`).
 */

const results: Array<{ testCase: PkitsCase; outcome?: PkitsOutcome }> = [];

describe('NIST PKITS', () => {
  for (const testCase of pkitsCases()) {
    const title = `${testCase.section} ${testCase.id} ends in ${testCase.expected}`;
    if (testCase.notApplicable === NOT_APPLICABLE.dsa) {
      // Not applicable, but not ignored either: the engine must refuse DSA, not accept it.
      results.push({ testCase });
      it(`${testCase.section} ${testCase.id} is refused: DSA is not supported`, async () => {
        const outcome = await runPkitsCase(testCase);
        assert.equal(outcome.actual, 'FAILURE');
        assert.match(outcome.why, /^CERT_SIGNATURE_INVALID: .*unsupported signature algorithm 1\.2\.840\.10040\.4\.3/);
      });
      continue;
    }
    if (testCase.notApplicable === NOT_APPLICABLE.crl) {
      // Not applicable, but not ignored either: without an answer from a CRL it cannot use,
      // the engine fails closed, whatever the case expects.
      results.push({ testCase });
      it(`${testCase.section} ${testCase.id} fails closed: indirect CRLs are not used`, async () => {
        const outcome = await runPkitsCase(testCase);
        assert.equal(outcome.actual, 'FAILURE');
        assert.match(outcome.why, /unavailable/, outcome.why);
      });
      continue;
    }
    if (testCase.notApplicable) {
      throw new Error(`${testCase.id}: not applicable for a reason this test does not know`);
    }
    it(title, async () => {
      const outcome = await runPkitsCase(testCase);
      results.push({ testCase, outcome });
      assert.equal(outcome.actual, testCase.expected, outcome.why);
    });
  }

  it('the README testing notes carry the table of this run', () => {
    const table = markdownTable(tabulate(results));
    console.log(table);
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    assert.equal(
      readmeTable(readme),
      table,
      'README.md PKITS table is out of date: run `npm run pkits-table -- --write`',
    );
  });
});
