import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { certificatePem } from '../../src/cli/dev-pki.js';
import { loadServerConfig } from '../../src/config/load.js';
import { REPO_ROOT } from '../support/paths.js';
import { makeDniePki } from '../support/pki.js';

/** A trust directory with one generated root: without the demo, start needs an anchor. */
async function trustDirectory(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-trust-'));
  const pki = await makeDniePki();
  writeFileSync(path.join(dir, 'root.pem'), certificatePem(pki.root));
  writeFileSync(
    path.join(dir, 'trust.yaml'),
    'anchors:\n  - file: root.pem\n    profile: es-dnie\n    environment: test\n',
  );
  return dir;
}
let trustDir: Promise<string> | undefined;

interface Run {
  code: number | null;
  output: string;
}

/**
 * Runs `eid-idp start` as an operator would, on ports chosen by the system and without the
 * demo (whose relying party has a fixed port), stops it once it is up, and returns everything
 * it printed and logged.
 */
async function startOnce(env: Record<string, string>): Promise<Run> {
  trustDir ??= trustDirectory();
  const trustDirs = await trustDir;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'eid-idp.js'), 'start'], {
      cwd: os.tmpdir(),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? os.tmpdir(),
        EID_IDP_OIDC_PORT: '0',
        EID_IDP_CERTIFICATE_PORT: '0',
        EID_IDP_DEMO: 'false',
        EID_IDP_LOG_LEVEL: 'debug',
        EID_IDP_TRUST_DIRS: trustDirs,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('eid-idp is running')) child.kill('SIGTERM');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('secrets: created private, reused, never printed, and named by file or environment', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-secrets-'));
  let first: Run;

  it('creates the signing keys, the subject key and the cookie keys with mode 0600 on first start', async () => {
    first = await startOnce({ EID_IDP_DATA_DIR: dataDir });
    assert.match(first.output, /eid-idp is running/, first.output.slice(-2000));
    for (const file of ['secrets/signing-keys.json', 'secrets/subject.key', 'secrets/cookie-keys', 'tls/server.key']) {
      assert.equal(modeOf(path.join(dataDir, file)).toString(8), '600', file);
    }
    assert.equal(modeOf(path.join(dataDir, 'secrets')).toString(8), '700');
  });

  it('never prints or logs a secret', () => {
    const secrets = [
      readFileSync(path.join(dataDir, 'secrets', 'subject.key'), 'utf8').trim(),
      ...readFileSync(path.join(dataDir, 'secrets', 'cookie-keys'), 'utf8').split('\n').filter(Boolean),
      ...(JSON.parse(readFileSync(path.join(dataDir, 'secrets', 'signing-keys.json'), 'utf8')) as {
        keys: { d: string; p?: string; q?: string }[];
      }).keys.flatMap((key) => [key.d, key.p, key.q].filter((part): part is string => part !== undefined)),
      readFileSync(path.join(dataDir, 'tls', 'server.key'), 'utf8').split('\n')[1]!,
    ];
    assert.ok(secrets.length >= 6);
    assert.ok(first.output.length > 200, 'the start printed and logged something');
    for (const secret of secrets) {
      assert.ok(secret.length >= 20);
      assert.ok(!first.output.includes(secret), 'a secret appears in the output');
    }
  });

  it('reuses the keys on the next start, so sub values and sessions stay stable', async () => {
    const before = readFileSync(path.join(dataDir, 'secrets', 'subject.key'), 'utf8');
    const again = await startOnce({ EID_IDP_DATA_DIR: dataDir });
    assert.match(again.output, /eid-idp is running/);
    assert.equal(readFileSync(path.join(dataDir, 'secrets', 'subject.key'), 'utf8'), before);
  });

  it('takes secret files named in the environment, and creates none of its own for them', async () => {
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-secret-files-'));
    const otherDataDir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-data-'));
    const subjectKeyFile = path.join(elsewhere, 'subject.key');
    writeFileSync(subjectKeyFile, 'an-operator-provided-subject-key-0123456789\n', { mode: 0o600 });
    const run = await startOnce({ EID_IDP_DATA_DIR: otherDataDir, EID_IDP_SUBJECT_KEY_FILE: subjectKeyFile });
    assert.match(run.output, /eid-idp is running/, run.output.slice(-2000));
    assert.equal(existsSync(path.join(otherDataDir, 'secrets', 'subject.key')), false);
    assert.ok(!run.output.includes('an-operator-provided-subject-key'));
  });

  it('refuses to start with a secret file other users can read, naming the file', async () => {
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-secret-files-'));
    const subjectKeyFile = path.join(elsewhere, 'subject.key');
    writeFileSync(subjectKeyFile, 'a-subject-key-readable-by-everyone-0123456789\n', { mode: 0o644 });
    const run = await startOnce({ EID_IDP_DATA_DIR: dataDir, EID_IDP_SUBJECT_KEY_FILE: subjectKeyFile });
    assert.notEqual(run.code, 0);
    assert.doesNotMatch(run.output, /eid-idp is running/);
    assert.ok(run.output.includes(subjectKeyFile), run.output.slice(-1000));
    assert.match(run.output, /chmod 600/);
  });

  it('maps the secret file variables to their settings', () => {
    const config = loadServerConfig(
      {
        EID_IDP_SUBJECT_KEY_FILE: 'keys/subject.key',
        EID_IDP_COOKIE_KEYS_FILE: '/run/secrets/cookie-keys',
        EID_IDP_SIGNING_KEYS_FILE: '/run/secrets/jwks.json',
      },
      '/srv/eid',
    );
    assert.equal(config.secrets.subjectKeyFile, '/srv/eid/keys/subject.key');
    assert.equal(config.secrets.cookieKeysFile, '/run/secrets/cookie-keys');
    assert.equal(config.secrets.signingKeysFile, '/run/secrets/jwks.json');
  });
});
