import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadServerConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

function configFile(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-config-'));
  const file = path.join(dir, 'server.yaml');
  writeFileSync(file, text);
  return file;
}

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the configuration to be refused');
}

describe('loading the server configuration', () => {
  it('runs on the embedded defaults with no file and no environment', () => {
    const config = loadServerConfig({}, '/srv/idp');
    assert.equal(config.issuer, 'https://localhost:8443');
    assert.equal(config.certificateOrigin, 'https://localhost:8444');
    assert.equal(config.listen.certificate.port, 8444);
    assert.equal(config.tls.certificateOriginMaxVersion, 'TLSv1.2');
    assert.equal(config.dataDir, '/srv/idp/.eid-idp');
    assert.equal(config.store.kind, 'memory');
    assert.equal(config.demo.enabled, true);
  });

  it('names the file, the line and the setting of a wrong value', () => {
    const file = configFile(
      [
        'issuer: https://idp.example',
        'clients:',
        '  - client_id: rp',
        '    client_secret: short',
        '    redirect_uris: [https://rp.example/cb]',
      ].join('\n'),
    );
    const error = errorOf(() => loadServerConfig({ EID_IDP_CONFIG: file }, '/'));
    assert.equal(error.file, file);
    assert.equal(error.line, 4);
    assert.equal(error.setting, 'clients[0].client_secret');
    assert.match(error.message, /server\.yaml: line 4: clients\[0\]\.client_secret: must be at least 32/);
  });

  it('names the line of a YAML syntax error', () => {
    const file = configFile('issuer: https://idp.example\nlisten:\n  oidc: [unclosed\n');
    const error = errorOf(() => loadServerConfig({ EID_IDP_CONFIG: file }, '/'));
    assert.equal(error.file, file);
    assert.ok(error.line !== undefined && error.line >= 3, `line ${error.line}`);
    assert.match(error.message, /YAML syntax error/);
  });

  it('refuses an unknown setting instead of ignoring a typo', () => {
    const file = configFile('issuer: https://idp.example\ntls:\n  maxVersion: TLSv1.3\n');
    const error = errorOf(() => loadServerConfig({ EID_IDP_CONFIG: file }, '/'));
    assert.equal(error.setting, 'tls.maxVersion');
    assert.equal(error.line, 3);
    assert.match(error.message, /unknown setting/);
  });

  it('refuses a public URL that is not https', () => {
    const file = configFile('issuer: http://idp.example\n');
    const error = errorOf(() => loadServerConfig({ EID_IDP_CONFIG: file }, '/'));
    assert.equal(error.setting, 'issuer');
    assert.equal(error.line, 1);
    assert.match(error.message, /https/);
  });

  it('names an unknown setting at its own line, even when its value spans lines below', () => {
    const file = configFile('issuer: https://idp.example\nlisten:\n  certificat:\n    port: 9444\n');
    const error = errorOf(() => loadServerConfig({ EID_IDP_CONFIG: file }, '/'));
    assert.equal(error.setting, 'listen.certificat');
    assert.equal(error.line, 3);
  });

  it('names the environment variable that holds a wrong value', () => {
    const error = errorOf(() => loadServerConfig({ EID_IDP_CLIENTS: '{not json' }, '/'));
    assert.match(error.message, /environment variable EID_IDP_CLIENTS/);
    const port = errorOf(() => loadServerConfig({ EID_IDP_OIDC_PORT: 'eighty' }, '/'));
    assert.match(port.message, /EID_IDP_OIDC_PORT.*whole number/);
  });

  it('adds clients and trust directories from the environment to those of the file', () => {
    const file = configFile(
      [
        'trust:',
        '  directories: [anchors]',
        'clients:',
        '  - client_id: from-file',
        '    client_secret_file: secrets/from-file',
        '    redirect_uris: [https://a.example/cb]',
      ].join('\n'),
    );
    const config = loadServerConfig(
      {
        EID_IDP_CONFIG: file,
        EID_IDP_TRUST_DIRS: 'more-anchors',
        EID_IDP_CLIENTS: JSON.stringify([
          { client_id: 'from-env', token_endpoint_auth_method: 'none', redirect_uris: ['https://b.example/cb'] },
        ]),
      },
      '/work',
    );
    assert.deepEqual(
      config.clients.map((client) => client.client_id),
      ['from-file', 'from-env'],
    );
    assert.deepEqual(config.trust.directories, [
      path.join(path.dirname(file), 'anchors'),
      '/work/more-anchors',
    ]);
    assert.equal(config.clients[0]!.client_secret_file, path.join(path.dirname(file), 'secrets/from-file'));
    assert.equal(config.clients[1]!.subject_type, 'pairwise');
  });

  it('refuses a confidential client without a secret and a public one with a secret', () => {
    const noSecret = errorOf(() =>
      loadServerConfig(
        { EID_IDP_CLIENTS: JSON.stringify([{ client_id: 'x', redirect_uris: ['https://x.example/cb'] }]) },
        '/',
      ),
    );
    assert.match(noSecret.message, /needs client_secret/);
    const publicWithSecret = errorOf(() =>
      loadServerConfig(
        {
          EID_IDP_CLIENTS: JSON.stringify([
            {
              client_id: 'y',
              token_endpoint_auth_method: 'none',
              client_secret: 'y'.repeat(40),
              redirect_uris: ['https://y.example/cb'],
            },
          ]),
        },
        '/',
      ),
    );
    assert.match(publicWithSecret.message, /must not have a secret/);
  });
});
