import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  markdownTable,
  pkitsCases,
  README_MARKERS,
  readmeTable,
  runPkitsCase,
  tabulate,
} from '../test/pki/pkits-cases.js';

/**
 * Runs NIST PKITS through the trust engine and prints the per-section table of the README's
 * testing notes; with --write, replaces the table in README.md (between its markers).
 * test/pki/pkits.test.ts fails when the README's table differs from what a run produces.
 */

const results = [];
for (const testCase of pkitsCases()) {
  results.push(
    testCase.notApplicable ? { testCase } : { testCase, outcome: await runPkitsCase(testCase) },
  );
}
const table = markdownTable(tabulate(results));
process.stdout.write(`${table}\n`);

if (process.argv.includes('--write')) {
  const readmeFile = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
  const readme = readFileSync(readmeFile, 'utf8');
  if (readmeTable(readme) === undefined) {
    process.stderr.write(`README.md has no ${README_MARKERS.start} … ${README_MARKERS.end} block\n`);
    process.exitCode = 1;
  } else {
    const start = readme.indexOf(README_MARKERS.start) + README_MARKERS.start.length;
    const end = readme.indexOf(README_MARKERS.end);
    writeFileSync(readmeFile, `${readme.slice(0, start)}\n${table}\n${readme.slice(end)}`);
    process.stdout.write('README.md updated\n');
  }
}
