import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { TrustStore } from '../../src/pki/trust-store.js';
import { validatePath } from '../../src/pki/validate-path.js';
import { cert, der, NOW, parsed, threeLevels } from './helpers.js';

type Pki = Awaited<ReturnType<typeof threeLevels>>;

describe('TrustStore.loadDirectories', () => {
  let dir: string;
  let pki: Pki;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'eid-trust-'));
    pki = await threeLevels();
    await writeFile(path.join(dir, 'root.pem'), pki.root.certificate.toString('pem'));
    await writeFile(path.join(dir, 'issuing.der'), der(pki.intermediate));
    await writeFile(path.join(dir, 'leaf.pem'), pki.leaf.certificate.toString('pem'));
    await writeFile(path.join(dir, 'garbage.pem'), 'not a certificate\n');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function withTrustYaml(text: string): Promise<string> {
    const sub = await mkdtemp(path.join(dir, 'case-'));
    for (const file of ['root.pem', 'issuing.der', 'leaf.pem', 'garbage.pem']) {
      await copyFile(path.join(dir, file), path.join(sub, file));
    }
    await writeFile(path.join(sub, 'trust.yaml'), text);
    return sub;
  }

  async function configError(text: string): Promise<ConfigError> {
    const sub = await withTrustYaml(text);
    try {
      await TrustStore.loadDirectories([sub]);
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error;
    }
    assert.fail('expected a ConfigError');
  }

  it('loads PEM and DER anchors and intermediates named in trust.yaml', async () => {
    const sub = await withTrustYaml(
      [
        'anchors:',
        '  - file: root.pem',
        '    profile: es-dnie',
        '    environment: test',
        'intermediates:',
        '  - file: issuing.der',
        '',
      ].join('\n'),
    );
    const store = await TrustStore.loadDirectories([sub]);
    const [anchor] = store.anchors();
    assert.equal(anchor?.profile, 'es-dnie');
    assert.equal(anchor?.environment, 'test');
    assert.equal(anchor?.source, path.join(sub, 'trust.yaml'));
    assert.equal(store.anchorPems().length, 1);
    assert.match(store.anchorPems()[0] ?? '', /^-----BEGIN CERTIFICATE-----/);
    const result = await validatePath([der(pki.leaf)], store, { at: NOW });
    assert.equal(result.ok, true);
  });

  it('names the file, line and setting of a bad environment', async () => {
    const error = await configError(
      [
        'anchors:',
        '  - file: root.pem',
        '    environment: test',
        '  - file: root.pem',
        '    environment: staging',
        '',
      ].join('\n'),
    );
    assert.equal(error.setting, 'anchors[1].environment');
    assert.equal(error.line, 5);
    assert.match(error.file ?? '', /trust\.yaml$/);
  });

  it('refuses a missing certificate file', async () => {
    const error = await configError('anchors:\n  - file: nowhere.pem\n    environment: test\n');
    assert.equal(error.setting, 'anchors[0].file');
    assert.match(error.message, /nowhere\.pem/);
  });

  it('refuses a file that holds no certificate', async () => {
    const error = await configError('anchors:\n  - file: garbage.pem\n    environment: test\n');
    assert.equal(error.setting, 'anchors[0].file');
  });

  it('refuses an anchor that is not a CA', async () => {
    const error = await configError('anchors:\n  - file: leaf.pem\n    environment: test\n');
    assert.match(error.message, /not a CA/);
    assert.equal(error.line, 2);
  });

  it('refuses a directory without trust.yaml', async () => {
    const empty = await mkdtemp(path.join(dir, 'empty-'));
    await assert.rejects(TrustStore.loadDirectories([empty]), ConfigError);
  });

  it('refuses unknown settings', async () => {
    const error = await configError('anchors:\n  - file: root.pem\n    enviroment: test\n');
    assert.match(error.setting ?? '', /^anchors\[0\]/);
  });
});

describe('TrustStore.fromCertificates', () => {
  it('keeps two anchors with one name but different keys apart', async () => {
    const first = await cert({ cn: 'Same Name Root', ca: {} });
    const second = await cert({ cn: 'Same Name Root', ca: {} });
    const store = TrustStore.fromCertificates({
      anchors: [
        { certificate: parsed(first), environment: 'production' },
        { certificate: parsed(second), environment: 'test' },
      ],
    });
    assert.equal(store.anchors().length, 2);
    assert.equal(store.anchorBySpki(parsed(second).spkiSha256)?.environment, 'test');
    const leaf = await cert({ cn: 'Citizen', issuer: second });
    const result = await validatePath([der(leaf)], store, { at: NOW });
    assert.equal(result.ok && result.anchor.environment, 'test');
  });

  it('counts the same anchor certificate listed twice once', async () => {
    const root = parsed(await cert({ cn: 'Root', ca: {} }));
    const store = TrustStore.fromCertificates({
      anchors: [
        { certificate: root, environment: 'test' },
        { certificate: root, environment: 'test', source: 'elsewhere' },
      ],
    });
    assert.equal(store.anchors().length, 1);
  });
});
