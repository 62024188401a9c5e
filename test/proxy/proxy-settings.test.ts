import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { proxySettings } from '../../src/cli/resolve-settings.js';
import { loadServerConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { peerNetwork, TrustedProxies } from '../../src/server/trusted-proxies.js';

function configFile(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-proxy-config-'));
  const file = path.join(dir, 'server.yaml');
  writeFileSync(file, text);
  return file;
}

function refusal(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('expected a ConfigError');
}

describe('trusted proxies', () => {
  it('matches IPv4, IPv6 and IPv4-mapped peers against CIDRs and single addresses', () => {
    const trusted = new TrustedProxies(['10.1.0.0/16', '192.0.2.7', 'fd00:1::/32']);
    assert.equal(trusted.trusts('10.1.200.3'), true);
    assert.equal(trusted.trusts('::ffff:10.1.0.1'), true);
    assert.equal(trusted.trusts('10.2.0.1'), false);
    assert.equal(trusted.trusts('192.0.2.7'), true);
    assert.equal(trusted.trusts('192.0.2.8'), false);
    assert.equal(trusted.trusts('fd00:1:abcd::5'), true);
    assert.equal(trusted.trusts('fd00:2::5'), false);
    assert.equal(trusted.trusts(undefined), false);
    assert.equal(trusted.trusts('not-an-address'), false);
    assert.equal(new TrustedProxies([]).trusts('127.0.0.1'), false, 'nobody is trusted by default');
  });

  it('logs only the network of a peer, never its full address', () => {
    assert.equal(peerNetwork('203.0.113.77'), '203.0.113.0/24');
    assert.equal(peerNetwork('::ffff:203.0.113.77'), '203.0.113.0/24');
    assert.equal(peerNetwork('2001:db8:1:2::99'), '2001:db8:1::/48');
  });
});

describe('proxy settings', () => {
  it('reads the proxy section from the file and the environment', () => {
    const file = configFile(
      [
        'listen:',
        '  certificate: { port: 8444, protocol: http }',
        'proxy:',
        '  trustedProxies: [10.0.0.0/8]',
        '  certificateHeader: { format: envoy }',
      ].join('\n'),
    );
    const config = loadServerConfig({ EID_IDP_CONFIG: file }, '/');
    assert.deepEqual(config.proxy.trustedProxies, ['10.0.0.0/8']);
    assert.equal(config.proxy.maxHeaderBytes, 16384);
    assert.equal(proxySettings(config)?.certificateHeader?.format, 'envoy');

    const fromEnvironment = loadServerConfig(
      {
        EID_IDP_TRUSTED_PROXIES: '127.0.0.1, 172.16.0.0/12',
        EID_IDP_CERTIFICATE_HEADER_FORMAT: 'nginx',
        EID_IDP_CERTIFICATE_HEADER_NAME: 'X-Client-Cert',
        EID_IDP_CERTIFICATE_PROTOCOL: 'http',
        EID_IDP_OIDC_PROTOCOL: 'http',
      },
      '/',
    );
    assert.deepEqual(fromEnvironment.proxy.trustedProxies, ['127.0.0.1', '172.16.0.0/12']);
    assert.equal(fromEnvironment.proxy.certificateHeader?.name, 'X-Client-Cert');
    assert.equal(fromEnvironment.listen.oidc.protocol, 'http');
  });

  it('names the file, line and setting of a bad CIDR, format or header name', () => {
    const cidr = refusal(() =>
      loadServerConfig({ EID_IDP_CONFIG: configFile('proxy:\n  trustedProxies:\n    - 10.0.0.0/33\n') }, '/'),
    );
    assert.equal(cidr.setting, 'proxy.trustedProxies[0]');
    assert.equal(cidr.line, 3);
    assert.match(cidr.message, /IP address or CIDR/);
    const format = refusal(() =>
      loadServerConfig({ EID_IDP_CONFIG: configFile('proxy:\n  certificateHeader: { format: haproxy }\n') }, '/'),
    );
    assert.equal(format.setting, 'proxy.certificateHeader.format');
    const name = refusal(() =>
      loadServerConfig({ EID_IDP_CONFIG: configFile('proxy:\n  certificateHeader: { format: nginx, name: "a b" }\n') }, '/'),
    );
    assert.match(name.message, /header name/);
    const size = refusal(() => loadServerConfig({ EID_IDP_CONFIG: configFile('proxy:\n  maxHeaderBytes: 100\n') }, '/'));
    assert.equal(size.setting, 'proxy.maxHeaderBytes');
  });

  it('refuses plain HTTP without a trusted proxy, and a plain certificate origin without a header format', () => {
    const noProxy = refusal(() => proxySettings(loadServerConfig({ EID_IDP_OIDC_PROTOCOL: 'http' }, '/')));
    assert.equal(noProxy.setting, 'listen.oidc.protocol');
    const noFormat = refusal(() =>
      proxySettings(loadServerConfig({ EID_IDP_CERTIFICATE_PROTOCOL: 'http', EID_IDP_TRUSTED_PROXIES: '10.0.0.1' }, '/')),
    );
    assert.equal(noFormat.setting, 'listen.certificate.protocol');
    const formatWithoutProxy = refusal(() =>
      proxySettings(loadServerConfig({ EID_IDP_CERTIFICATE_HEADER_FORMAT: 'nginx' }, '/')),
    );
    assert.equal(formatWithoutProxy.setting, 'proxy.trustedProxies');
  });
});
