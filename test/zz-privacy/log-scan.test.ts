import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ParsedCertificate } from '../../src/pki/certificate.js';
import { SUITE_LOG_DIR } from '../support/idp.js';
import { EID_FIXTURES_DIR } from '../support/paths.js';

/**
 * Runs last (its folder sorts after every other): scans every log line that every test IdP
 * of the suite wrote (test/support/idp.ts appends them to test/.artifacts/logs/) for the
 * names and national identifiers of the fixture citizens and of the citizens the tests
 * generate. Any hit is personal data in a log.
 */
const GENERATED_CITIZENS = ['JUAN', 'ESPAÑOL', '00000000T', '12345678Z', '22222222J', '11111111H'];
const PERSONAL_ATTRIBUTES = new Set(['serialNumber', 'SN', 'GN', 'CN', '2.5.4.5', '2.5.4.4']);

function fixtureIdentities(): string[] {
  const values = new Set<string>();
  for (const file of readdirSync(EID_FIXTURES_DIR).filter((name) => name.startsWith('TEST-'))) {
    const text = readFileSync(path.join(EID_FIXTURES_DIR, file), 'utf8');
    for (const certificate of ParsedCertificate.fromPemOrDer(text)) {
      for (const attribute of certificate.subject) {
        if (!PERSONAL_ATTRIBUTES.has(attribute.name ?? attribute.oid)) continue;
        values.add(attribute.value);
        // The bare identifier too: IDCES-00000000T, PNOEE-38001085718 → 00000000T, 38001085718.
        const bare = /^[A-Z]{2,3}[A-Z]{2}[-:](.+)$/.exec(attribute.value)?.[1];
        if (bare) values.add(bare);
        for (const word of attribute.value.split(/[\s,]+/)) if (word.length >= 4) values.add(word);
      }
    }
  }
  return [...values];
}

/** A value matches only as a whole token, so that random hashes cannot match by chance. */
function tokenPattern(value: string): RegExp {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u');
}

describe('personal data never reaches the logs of the whole suite', () => {
  const files = existsSync(SUITE_LOG_DIR)
    ? readdirSync(SUITE_LOG_DIR).filter((name) => name.endsWith('.ndjson'))
    : [];
  const lines = files.flatMap((file) =>
    readFileSync(path.join(SUITE_LOG_DIR, file), 'utf8').split('\n').filter(Boolean),
  );

  it('scanned a real amount of log: many files, many lines, login events among them', () => {
    assert.ok(
      files.length >= 5,
      `only ${files.length} log files in ${SUITE_LOG_DIR}: run the suite first`,
    );
    // A whole run writes several hundred lines (about 450 from a fresh clone).
    assert.ok(lines.length >= 250, `only ${lines.length} log lines`);
    assert.ok(lines.some((line) => line.includes('"certificate.accepted"')));
    assert.ok(lines.some((line) => line.includes('"certificate.refused"')));
  });

  it('finds no name or national identifier of a fixture or generated citizen in any line', () => {
    const identities = [...new Set([...GENERATED_CITIZENS, ...fixtureIdentities()])].filter(
      (value) => value.length >= 4,
    );
    assert.ok(identities.length >= 40, `only ${identities.length} identities to look for`);
    const patterns = identities.map((value) => ({ value, pattern: tokenPattern(value) }));
    const hits: string[] = [];
    for (const line of lines) {
      const text = JSON.stringify(JSON.parse(line)); // JSON escapes decoded the same way everywhere
      const decoded = JSON.parse(text) as unknown;
      const haystack = `${line}\n${JSON.stringify(decoded, null, 0)}`;
      for (const { value, pattern } of patterns) {
        if (pattern.test(haystack)) hits.push(`${value} in ${line.slice(0, 200)}`);
      }
    }
    assert.deepEqual(hits.slice(0, 10), [], `${hits.length} log lines contain personal data`);
  });
});
