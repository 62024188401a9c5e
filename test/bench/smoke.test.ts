import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { requireCommand } from '../support/tools.js';

/**
 * Keeps `npm run bench` working: its smoke mode drives real logins against real IdP
 * processes (memory and Redis, one and two processes), bare oidc-provider, nginx and bare
 * Node, and must produce complete results. No timing is asserted: the machine is shared.
 */
const ROOT = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..');

function bench(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
}

test('the bench smoke mode completes every part and writes its results', { timeout: 200_000 }, () => {
  requireCommand('nginx', 'nginx');
  requireCommand('taskset', 'util-linux');
  requireCommand('redis-server', 'redis-server');
  const out = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-bench-smoke-'));
  try {
    const run = bench(['--smoke', '--out', out]);
    assert.equal(run.status, 0, `bench failed:\n${run.stderr.slice(-3000)}`);
    const files = readdirSync(out);
    const jsonFile = files.find((file) => file.endsWith('.json'));
    assert.ok(jsonFile && files.some((file) => file.endsWith('.md')), `no results in ${out}: ${files.join(', ')}`);
    // A smoke run never replaces the published latest results.
    assert.ok(!files.includes('latest.md'));
    const report = JSON.parse(readFileSync(path.join(out, jsonFile), 'utf8'));

    assert.ok(report.machine.cores >= 1 && report.machine.node && report.machine.cpuModel);
    for (const name of ['bare', 'memory', 'redis', 'redis2']) {
      const run = report.runs[name];
      assert.ok(run, `run ${name} missing`);
      assert.equal(run.notAvailable, undefined, `run ${name} not available: ${run.notAvailable}`);
      assert.ok(run.logins > 0, `run ${name} completed no login`);
      assert.equal(run.errors, 0, `run ${name} had errors: ${run.firstError}`);
      assert.ok(run.cpuMsPerLogin > 0 && run.total.p50 > 0, `run ${name} measured nothing`);
      assert.ok(run.steps.token && run.steps.authorize, `run ${name} has no step timings`);
    }
    assert.ok(report.runs.memory.steps.certificate, 'the eid-idp login has a certificate step');
    assert.equal(report.runs.redis2.cpuMsPerLoginByProcess.length, 3, 'cluster primary and two workers');
    for (const server of ['idp', 'nginx', 'bareNode']) {
      const result = report.route[server];
      assert.ok(result && result.handshakes > 0, `no handshakes against ${server}`);
      assert.equal(result.errors, 0, `${server}: ${result.firstError}`);
    }
    for (const key of ['coldMs', 'newLeafWarmMs', 'returningCardMs', 'pkijsEngineMs']) {
      assert.ok(report.validation[key].count > 0, `validation ${key} has no samples`);
    }
    assert.ok(report.sessions.sessionsSeeded > 0 && report.sessions.redisKeysWithPrefix >= report.sessions.sessionsSeeded);
    for (const ratio of ['fullLoginMemoryOverBare', 'routeOverNginx', 'pkijsOverNewLeaf']) {
      assert.ok(report.ratios[ratio] > 0, `ratio ${ratio} missing`);
    }
    const markdown = readFileSync(path.join(out, jsonFile.replace(/\.json$/, '.md')), 'utf8');
    assert.match(markdown, /\| full login CPU, eid-idp \(memory\)/);
    assert.match(markdown, /nginx, ssl_verify_client on/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the bench refuses a bad option with a message naming it', () => {
  const run = bench(['--seconds', 'soon']);
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /--seconds must be a whole number/);
});
