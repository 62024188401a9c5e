import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { stringify } from 'yaml';
import { certificatePem } from '../../src/cli/dev-pki.js';
import { generateJwks } from '../../src/oidc/signing-keys.js';
import {
  SUITE_LOG_DIR,
  testTls,
  TEST_CLIENT_ID,
  TEST_CLIENT_SECRET,
  TEST_REDIRECT_URI,
} from '../support/idp.js';
import { REPO_ROOT } from '../support/paths.js';
import type { TestPki } from '../support/pki.js';

/**
 * What several IdP processes of one deployment share: one TLS certificate, one trust
 * directory, the same signing keys, subject key and cookie keys, one Redis. Written once
 * into a temporary directory, as an operator would lay them out.
 */
export interface SharedDeployment {
  dir: string;
  tlsCaPem: string;
  signingKeysFile: string;
  files: {
    certFile: string;
    keyFile: string;
    trustDir: string;
    subjectKeyFile: string;
    cookieKeysFile: string;
  };
  destroy(): void;
}

export async function writeSharedDeployment(pki: TestPki): Promise<SharedDeployment> {
  const dir = mkdtempSync(path.join(tmpdir(), 'eid-idp-deployment-'));
  const tls = await testTls();
  const secret = (name: string, content: string) => {
    const file = path.join(dir, 'secrets', name);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, content, { mode: 0o600 });
    return file;
  };
  const trustDir = path.join(dir, 'trust');
  mkdirSync(trustDir, { recursive: true });
  writeFileSync(path.join(trustDir, 'root.pem'), certificatePem(pki.root));
  writeFileSync(path.join(trustDir, 'issuing.pem'), certificatePem(pki.issuing));
  writeFileSync(
    path.join(trustDir, 'trust.yaml'),
    stringify({
      anchors: [{ file: 'root.pem', profile: 'es-dnie', environment: 'test' }],
      intermediates: [{ file: 'issuing.pem' }],
    }),
  );
  const certFile = path.join(dir, 'tls', 'server.pem');
  mkdirSync(path.dirname(certFile), { recursive: true });
  writeFileSync(certFile, `${certificatePem(tls.server)}${certificatePem(tls.ca)}`);
  return {
    dir,
    tlsCaPem: certificatePem(tls.ca),
    signingKeysFile: secret('signing-keys.json', generateJwks()),
    files: {
      certFile,
      keyFile: secret('server.key', tls.keyPem),
      trustDir,
      subjectKeyFile: secret('subject.key', 'deployment-subject-key-0123456789abcdef\n'),
      cookieKeysFile: secret('cookie-keys', 'deployment-cookie-key-0123456789abcdef\n'),
    },
    destroy: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface IdpProcessOptions {
  name: string;
  shared: SharedDeployment;
  /** The public URLs (a balancer's, when several processes sit behind one). */
  issuer: string;
  certificateOrigin: string;
  oidcPort: number;
  certificatePort: number;
  store: Record<string, unknown>;
}

/** One `node bin/eid-idp.js start` child process, configured by a YAML file of its own. */
export class IdpProcess {
  readonly name: string;
  readonly oidcUrl: string;
  readonly #child: ChildProcess;
  readonly #output: string[] = [];
  readonly #agent: Agent;

  private constructor(name: string, child: ChildProcess, oidcPort: number, caPem: string) {
    this.name = name;
    this.#child = child;
    this.oidcUrl = `https://localhost:${oidcPort}`;
    this.#agent = new Agent({ connect: { ca: caPem } });
    child.stdout?.on('data', (chunk) => this.#output.push(String(chunk)));
    child.stderr?.on('data', (chunk) => this.#output.push(String(chunk)));
  }

  static async start(options: IdpProcessOptions): Promise<IdpProcess> {
    const { shared } = options;
    const configFile = path.join(shared.dir, `${options.name}.yaml`);
    writeFileSync(
      configFile,
      stringify({
        issuer: options.issuer,
        certificateOrigin: options.certificateOrigin,
        listen: {
          oidc: { host: '127.0.0.1', port: options.oidcPort },
          certificate: { host: '127.0.0.1', port: options.certificatePort },
        },
        dataDir: path.join(shared.dir, `data-${options.name}`),
        tls: { certFile: shared.files.certFile, keyFile: shared.files.keyFile },
        trust: { directories: [shared.files.trustDir] },
        secrets: {
          subjectKeyFile: shared.files.subjectKeyFile,
          cookieKeysFile: shared.files.cookieKeysFile,
          signingKeysFile: shared.signingKeysFile,
        },
        store: options.store,
        clients: [
          {
            client_id: TEST_CLIENT_ID,
            client_secret: TEST_CLIENT_SECRET,
            redirect_uris: [TEST_REDIRECT_URI],
          },
        ],
        demo: { enabled: false },
        log: { level: 'info' },
      }),
    );
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'eid-idp.js'), 'start'], {
      cwd: shared.dir,
      env: { ...process.env, EID_IDP_CONFIG: configFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const idp = new IdpProcess(options.name, child, options.oidcPort, shared.tlsCaPem);
    await idp.#waitUntilServing();
    return idp;
  }

  /** Still running (not crashed, not exited). */
  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Everything the process printed (JSON log lines and the welcome text). */
  get output(): string {
    return this.#output.join('');
  }

  /** A GET straight to this process (not through a balancer), e.g. /readyz or /jwks. */
  async get(pathname: string): Promise<{ status: number; body: string }> {
    const response = await request(`${this.oidcUrl}${pathname}`, {
      dispatcher: this.#agent,
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
    return { status: response.statusCode, body: await response.body.text() };
  }

  async stop(): Promise<void> {
    await this.#agent.close();
    if (this.alive) {
      const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    this.#keepLogForPrivacyScan();
  }

  /** The JSON log lines join the suite's logs, which are scanned for personal data. */
  #keepLogForPrivacyScan(): void {
    const lines = this.output.split('\n').filter((line) => line.startsWith('{'));
    if (lines.length === 0) return;
    mkdirSync(SUITE_LOG_DIR, { recursive: true });
    appendFileSync(
      path.join(SUITE_LOG_DIR, `deployment-${this.name}-${process.pid}.ndjson`),
      `${lines.join('\n')}\n`,
    );
  }

  async #waitUntilServing(): Promise<void> {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      if (!this.alive) {
        throw new Error(`IdP ${this.name} exited while starting:\n${this.output}`);
      }
      try {
        if ((await this.get('/healthz')).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`IdP ${this.name} did not start within 30 s:\n${this.output}`);
  }
}
