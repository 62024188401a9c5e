import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataDirectoryLayout } from '../../src/cli/first-start.js';
import { freePort } from '../support/chromium.js';
import { REPO_ROOT } from '../support/paths.js';

/**
 * `eid-idp start` as a citizen trying the product runs it (`npm start`): a child process
 * with the embedded defaults, a fresh data directory and free ports, so that the demo PKI,
 * the demo relying party and the printed welcome are exactly what first start produces.
 */
export interface DemoIdp {
  issuer: string;
  certificateOrigin: string;
  relyingPartyUrl: string;
  dataDir: string;
  citizenP12: string;
  citizenPassword: string;
  developmentCaPem: string;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export async function startDemoIdp(): Promise<DemoIdp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-demo-'));
  const [oidcPort, certificatePort, rpPort] = [await freePort(), await freePort(), await freePort()];
  const issuer = `https://localhost:${oidcPort}`;
  const certificateOrigin = `https://localhost:${certificatePort}`;
  const relyingPartyUrl = `http://localhost:${rpPort}`;
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'eid-idp.js'), 'start'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      EID_IDP_DATA_DIR: dataDir,
      EID_IDP_ISSUER: issuer,
      EID_IDP_CERTIFICATE_ORIGIN: certificateOrigin,
      EID_IDP_OIDC_PORT: String(oidcPort),
      EID_IDP_CERTIFICATE_PORT: String(certificatePort),
      EID_IDP_DEMO_RP_URL: relyingPartyUrl,
      EID_IDP_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += String(chunk)));
  child.stderr?.on('data', (chunk) => (output += String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`eid-idp start did not come up in 90 s:\n${output}`)),
      90_000,
    );
    const check = () => {
      if (output.includes('eid-idp is running.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`eid-idp start exited with ${code}:\n${output}`));
    });
  });

  const layout = dataDirectoryLayout(dataDir);
  const citizenPassword = readFileSync(layout.demo.passwordFile, 'utf8').trim();
  // The welcome text is what a person reads: the test uses the path and password it prints.
  const printedFile = /file\s+(\S+\.p12)/.exec(output)?.[1];
  const printedPassword = /password\s+(\S+)/.exec(output)?.[1];
  if (printedFile !== layout.demo.citizenP12 || printedPassword !== citizenPassword) {
    throw new Error(`the welcome text does not print the demo .p12 path and password:\n${output}`);
  }
  return {
    issuer,
    certificateOrigin,
    relyingPartyUrl,
    dataDir,
    citizenP12: printedFile,
    citizenPassword: printedPassword,
    developmentCaPem: readFileSync(layout.tls.caFile, 'utf8'),
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
