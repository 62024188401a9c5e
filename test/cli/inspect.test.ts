import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as x509 from '@peculiar/x509';
import { stringify } from 'yaml';
import { certificatePem } from '../../src/cli/dev-pki.js';
import { writeFixtureTrustDirectory } from '../pki/fixture-trust.js';
import { EID_FIXTURES_DIR } from '../support/paths.js';
import { makeDniePki, writeCredentials } from '../support/pki.js';
import { requireCommand } from '../support/tools.js';
import { runCli } from './run-cli.js';

/**
 * `eid-idp inspect`, run as a real process with a server configuration file naming trust
 * directories (loaded exactly as `eid-idp start` loads them): the public fixtures, and a
 * generated DNIe-profile PKI whose citizen comes as a password-protected .p12. The public
 * fixtures are always inspected with --offline (their responders are on the internet); one
 * generated citizen names an OCSP responder on loopback, to show that inspect checks
 * revocation unless told --offline.
 */

const DNIE_AUTH = path.join(
  EID_FIXTURES_DIR,
  'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-AUTH-activo.pem',
);
const DNIE_SIGN = path.join(
  EID_FIXTURES_DIR,
  'TEST-ES-DNIe-AC004-CiudadanoFicticio-00000000T-FIRMA-activo.pem',
);
const AT = '2025-06-01T00:00:00Z';

interface InspectJson {
  decision: 'accepted' | 'refused';
  code?: string;
  detail?: string;
  message?: string;
  path?: { role: string; subject: string }[];
  anchor?: { subject: string; profile?: string; environment: string };
  checks: { name: string; ok: boolean; detail?: string }[];
  profile?: string;
  claims?: { national_id?: { value: string }; given_name?: string };
  revocation?: string;
  revocationReason?: string;
}

describe('eid-idp inspect', () => {
  let env: NodeJS.ProcessEnv;
  let work: string;
  let p12: string;
  let withResponder: string;
  let responder: Server;
  let responderHits = 0;

  before(async () => {
    requireCommand('openssl', 'openssl');
    work = mkdtempSync(path.join(tmpdir(), 'eid-inspect-'));

    // A responder that answers nothing useful: only its being asked matters here.
    responder = createServer((_request, response) => {
      responderHits += 1;
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => responder.listen(0, '127.0.0.1', resolve));
    const ocspUrl = `http://127.0.0.1:${(responder.address() as AddressInfo).port}/ocsp`;

    // A generated PKI: its root is a second trust directory, its citizen a .p12.
    const pki = await makeDniePki({ rootCn: 'INSPECT TEST RAIZ' });
    const generatedTrust = path.join(work, 'generated-trust');
    execFileSync('mkdir', ['-p', generatedTrust]);
    writeFileSync(path.join(generatedTrust, 'root.pem'), certificatePem(pki.root));
    writeFileSync(
      path.join(generatedTrust, 'trust.yaml'),
      stringify({ anchors: [{ file: 'root.pem', profile: 'es-dnie', environment: 'test' }] }),
    );
    const citizen = await pki.citizen({ dni: '12345678Z' });
    const credentials = await writeCredentials(citizen, [pki.issuing]);
    p12 = path.join(work, 'citizen.p12');
    execFileSync('openssl', [
      'pkcs12', '-export', '-inkey', credentials.key, '-in', credentials.chain,
      '-out', p12, '-passout', 'pass:correct horse',
    ]);

    const checked = await pki.citizen({
      dni: '87654321X',
      extensions: [new x509.AuthorityInfoAccessExtension({ ocsp: [ocspUrl] })],
    });
    withResponder = (await writeCredentials(checked, [pki.issuing])).chain;

    const config = path.join(work, 'server.yaml');
    writeFileSync(
      config,
      stringify({
        dataDir: path.join(work, 'data'),
        trust: { directories: [writeFixtureTrustDirectory(), generatedTrust] },
        demo: { enabled: false },
      }),
    );
    env = { EID_IDP_CONFIG: config };
  });

  after(() => new Promise<void>((resolve) => responder.close(() => resolve())));

  async function inspectJson(args: string[]) {
    const run = await runCli(['inspect', ...args, '--json'], env);
    let report: InspectJson | undefined;
    try {
      report = JSON.parse(run.stdout) as InspectJson;
    } catch {
      assert.fail(`not JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
    }
    return { run, report };
  }

  it('accepts the DNIe authentication certificate and shows path, checks and claims', async () => {
    const { run, report } = await inspectJson([DNIE_AUTH, '--at', AT, '--offline']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(report.decision, 'accepted');
    assert.deepEqual(
      report.path?.map((step) => step.role),
      ['leaf', 'intermediate'],
    );
    assert.match(report.path?.[1]?.subject ?? '', /CN=AC DNIE 004/);
    assert.match(report.anchor?.subject ?? '', /CN=AC RAIZ DNIE 2/);
    assert.equal(report.anchor?.profile, 'es-dnie');
    assert.equal(report.anchor?.environment, 'production');
    assert.ok(report.checks.length > 5 && report.checks.every((check) => check.ok));
    assert.ok(report.checks.some((check) => check.name.startsWith('signature:')));
    assert.equal(report.profile, 'es-dnie');
    assert.equal(report.claims?.national_id?.value, '00000000T');
    assert.equal(report.revocation, 'not_checked');
    assert.equal(report.revocationReason, 'skipped (offline)');
  });

  it('asks the OCSP responder unless --offline', async () => {
    const offline = await inspectJson([withResponder, '--offline']);
    assert.equal(offline.run.code, 0, offline.run.stderr);
    assert.equal(offline.report.revocation, 'not_checked');
    assert.equal(responderHits, 0, '--offline contacts nobody');

    const online = await inspectJson([withResponder]);
    assert.ok(responderHits > 0, 'the responder was asked');
    // The responder answers 500: hard-fail (the default) refuses, naming revocation.
    assert.equal(online.run.code, 1, online.run.stdout);
    assert.equal(online.report.decision, 'refused');
    assert.ok(online.report.checks.some((check) => check.name === 'revocation' && !check.ok));
  });

  it('refuses the signature certificate with the reason and the message the citizen sees', async () => {
    const { run, report } = await inspectJson([DNIE_SIGN, '--at', AT, '--offline']);
    assert.equal(run.code, 1);
    assert.equal(report.decision, 'refused');
    assert.equal(report.code, 'CERT_SIGNATURE_ONLY');
    assert.match(report.message ?? '', /signature certificate/);
    assert.ok(report.checks.some((check) => !check.ok && check.name === 'card profile'));
  });

  it('prints a readable report', async () => {
    const run = await runCli(['inspect', DNIE_SIGN, '--at', AT, '--offline'], env);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^Decision: REFUSED CERT_SIGNATURE_ONLY/);
    assert.match(run.stdout, /\nCertificate\n {2}subject {2}.*CN=Ficticio Activo, Ciudadano \(FIRMA\)/);
    assert.match(run.stdout, /\nChecks\n/);
    assert.match(run.stdout, /FAIL card profile/);
  });

  it('says the certificate expired when asked about a time after its validity', async () => {
    const { run, report } = await inspectJson([DNIE_AUTH, '--at', '2035-01-01T00:00:00Z', '--offline']);
    assert.equal(run.code, 1);
    assert.equal(report.code, 'CERT_EXPIRED');
  });

  it('reads a DER file', async () => {
    const derFile = path.join(work, 'leaf.der');
    execFileSync('openssl', ['x509', '-in', DNIE_AUTH, '-outform', 'DER', '-out', derFile]);
    const { run, report } = await inspectJson([derFile, '--at', AT, '--offline']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(report.decision, 'accepted');
  });

  it('reads a password-protected .p12 with its chain, with the configured generated anchor', async () => {
    const { run, report } = await inspectJson([p12, '--password', 'correct horse']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(report.claims?.national_id?.value, '12345678Z');
    assert.equal(report.anchor?.environment, 'test');
    assert.match(report.anchor?.subject ?? '', /INSPECT TEST RAIZ/);
  });

  it('refuses a wrong .p12 password and a bad time with a clear message', async () => {
    const wrong = await runCli(['inspect', p12, '--password', 'wrong'], env);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /wrong password or not a PKCS#12 file/);
    assert.doesNotMatch(wrong.stderr, /correct horse/);

    const badTime = await runCli(['inspect', DNIE_AUTH, '--at', 'yesterday'], env);
    assert.equal(badTime.code, 2);
    assert.match(badTime.stderr, /--at: "yesterday" is not an ISO 8601 time/);

    const missing = await runCli(['inspect', path.join(work, 'nope.pem')], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.pem \(ENOENT\)/);
  });

  it('reports a broken configuration like start does', async () => {
    const broken = path.join(work, 'broken.yaml');
    writeFileSync(broken, 'trust:\n  directories: [/nonexistent/trust]\ndemo: { enabled: false }\n');
    const run = await runCli(['inspect', DNIE_AUTH], { EID_IDP_CONFIG: broken });
    assert.equal(run.code, 78);
    assert.match(run.stderr, /Configuration error: .*nonexistent/);
  });
});
