import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { certificatePem, privateKeyPem, writePkcs12, type Issued } from '../../src/cli/dev-pki.js';
import { ARTIFACTS_DIR } from './paths.js';
import { requireCommand } from './tools.js';

/**
 * Debian's Chromium driven by playwright-core, as ../shared/recipes/BROWSER-MTLS.md says:
 * each profile has its own HOME (Chromium on Linux reads client certificates and extra
 * trust from $HOME/.pki/nssdb) and its own user data directory, and a managed policy file
 * answers the certificate chooser that would otherwise wait for a click forever.
 */

export const CHROMIUM = '/usr/bin/chromium';
export const POLICY_DIR = '/etc/chromium/policies/managed';
/** One name for every browser test: the policy is global to the machine, tests run one at a time. */
export const POLICY_FILE = path.join(POLICY_DIR, 'eid-idp-browser-tests.json');
export const SCREENSHOTS_DIR = path.join(ARTIFACTS_DIR, 'screenshots');

export function requireBrowserTools(): void {
  requireCommand('chromium', 'chromium');
  requireCommand('certutil', 'libnss3-tools');
  requireCommand('pk12util', 'libnss3-tools');
  requireCommand('openssl', 'openssl');
}

/** A fresh browser profile: HOME with an empty NSS database, and an empty user data dir. */
export interface BrowserProfile {
  dir: string;
  home: string;
  nssdb: string;
  userDataDir: string;
}

export function createProfile(): BrowserProfile {
  requireBrowserTools();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-chromium-'));
  const home = path.join(dir, 'home');
  const nssdbDir = path.join(home, '.pki', 'nssdb');
  const userDataDir = path.join(dir, 'user-data');
  mkdirSync(nssdbDir, { recursive: true });
  mkdirSync(userDataDir, { recursive: true });
  const nssdb = `sql:${nssdbDir}`;
  execFileSync('certutil', ['-N', '-d', nssdb, '--empty-password'], { stdio: 'pipe' });
  return { dir, home, nssdb, userDataDir };
}

export function removeProfile(profile: BrowserProfile | undefined): void {
  if (profile) rmSync(profile.dir, { recursive: true, force: true });
}

/** Trusts a CA for TLS servers in this profile (the IdP's development TLS CA). */
export function trustServerCa(profile: BrowserProfile, pem: string, nickname: string): void {
  const file = path.join(profile.dir, `${nickname}.pem`);
  writeFileSync(file, pem);
  execFileSync('certutil', ['-A', '-d', profile.nssdb, '-n', nickname, '-t', 'C,,', '-i', file], {
    stdio: 'pipe',
  });
}

/** Imports a citizen's certificate and key (a software "card") from a .p12 file. */
export function importPkcs12(profile: BrowserProfile, file: string, password: string): void {
  execFileSync('pk12util', ['-i', file, '-d', profile.nssdb, '-W', password], { stdio: 'pipe' });
}

/** Imports a generated citizen certificate with its key and chain, through a .p12. */
export async function importCitizen(
  profile: BrowserProfile,
  citizen: Issued,
  chain: Issued[],
  friendlyName: string,
): Promise<void> {
  const work = mkdtempSync(path.join(profile.dir, 'p12-'));
  const certificateFile = path.join(work, 'cert.pem');
  const keyFile = path.join(work, 'key.pem');
  const chainFile = path.join(work, 'chain.pem');
  const file = path.join(work, 'citizen.p12');
  writeFileSync(certificateFile, certificatePem(citizen));
  writeFileSync(keyFile, await privateKeyPem(citizen.keys), { mode: 0o600 });
  writeFileSync(chainFile, chain.map((c) => certificatePem(c)).join(''));
  const password = 'browser-test';
  await writePkcs12({
    file,
    password,
    certificateFile,
    keyFile,
    chainFile: chain.length > 0 ? chainFile : undefined,
    friendlyName,
  });
  importPkcs12(profile, file, password);
}

/** The CN of a CA's subject, for the auto-selection filter on the issuer of a card. */
export function commonName(issued: Issued): string {
  const cn = issued.certificate.subjectName.getField('CN')[0];
  assert.ok(cn, 'the certificate has a CN');
  return cn;
}

export interface AutoSelectRule {
  /** The certificate origin, e.g. https://localhost:41234. */
  origin: string;
  /** Chromium picks the client certificate whose issuer has this CN. */
  issuerCn: string;
}

/**
 * Writes the AutoSelectCertificateForUrls managed policy. Chromium reads it at launch, so
 * install it before launching. Global to the machine: browser tests run one at a time.
 */
export function installAutoSelectPolicy(rules: AutoSelectRule[]): void {
  const policy = {
    AutoSelectCertificateForUrls: rules.map((rule) =>
      JSON.stringify({ pattern: rule.origin, filter: { ISSUER: { CN: rule.issuerCn } } }),
    ),
  };
  try {
    mkdirSync(POLICY_DIR, { recursive: true });
    writeFileSync(POLICY_FILE, `${JSON.stringify(policy, null, 2)}\n`);
  } catch (error) {
    throw new Error(
      `cannot write Chromium's managed policy ${POLICY_FILE} (${(error as Error).message}): ` +
        'run the browser tests as root, as CI does, or make that directory writable by you ' +
        '(scripts/setup-test-machine.sh creates it)',
      { cause: error },
    );
  }
}

export function removeAutoSelectPolicy(): void {
  rmSync(POLICY_FILE, { force: true });
}

export interface LaunchOptions {
  /** Headed on this X display (smart-card PIN dialogs need a window); headless otherwise. */
  display?: string;
  /** Extra environment (SOFTHSM2_CONF for a simulated card). */
  env?: Record<string, string>;
  locale?: string;
  /** Writes Chromium's NetLog here (read it with `privateKeyOperations` after closing). */
  netLogFile?: string;
}

/**
 * Launches Chromium on a profile. A persistent context, because the profile is the point:
 * NSS reads HOME, and a "fresh browser" is a new profile directory.
 */
export async function launchChromium(
  profile: BrowserProfile,
  options: LaunchOptions = {},
): Promise<BrowserContext> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    HOME: profile.home,
    ...options.env,
  };
  if (options.display) env.DISPLAY = options.display;
  else delete env.DISPLAY;
  return chromium.launchPersistentContext(profile.userDataDir, {
    executablePath: CHROMIUM,
    headless: options.display === undefined,
    env,
    locale: options.locale ?? 'en-GB',
    viewport: { width: 1000, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(options.netLogFile ? [`--log-net-log=${options.netLogFile}`] : []),
    ],
    timeout: 60_000,
  });
}

/**
 * A free loopback port, for what needs its port number before it starts (a child process
 * given ports by environment, a relying party whose redirect URI is registered first).
 * LIMITATION: the port is released before use, so another process could take it in
 * between; a failure would show as EADDRINUSE at start, never as a wrong result.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown }[];
}

/**
 * Runs axe-core inside the page (its source injected from node_modules, no CDN) and
 * returns the serious and critical violations.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Not page.addScriptTag({content}): an inline <script> is exactly what the pages' CSP
  // forbids (and bypassCSP would hide CSP mistakes from these tests). Evaluating through
  // the DevTools protocol runs the same source outside the page's policy.
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as {
      axe: { run(context: unknown, options: unknown): Promise<{ violations: unknown[] }> };
    }).axe;
    // preload off: axe would fetch cross-origin stylesheets itself, a request the page's
    // CSP (rightly) blocks; the rules we need read computed styles, not the CSSOM.
    const result = await axe.run(document, { preload: false });
    return result.violations;
  })) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function assertAccessible(page: Page, what: string): Promise<void> {
  const violations = await seriousAccessibilityViolations(page);
  assert.deepEqual(
    violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`),
    [],
    `${what}: no serious or critical accessibility violations`,
  );
}

/** Saves a full-page PNG under test/.artifacts/screenshots (git-ignored). */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The signature algorithms Chromium asked the client key (the card) to sign with, from a
 * NetLog written by a browser that has since closed: the SSL_PRIVATE_KEY_OP events name
 * the TLS signature scheme of each CertificateVerify (e.g. "rsa_pkcs1_sha256").
 */
export function privateKeyOperations(netLogFile: string): string[] {
  let text = readFileSync(netLogFile, 'utf8').trim();
  // A log cut short (browser killed) lacks its closing brackets.
  if (!text.endsWith('}')) text = `${text.replace(/,\s*$/, '')}]}`;
  const log = JSON.parse(text) as {
    constants: { logEventTypes: Record<string, number> };
    events: { type: number; params?: { algorithm?: string } }[];
  };
  const type = log.constants.logEventTypes.SSL_PRIVATE_KEY_OP;
  return log.events
    .filter((event) => event.type === type && event.params?.algorithm !== undefined)
    .map((event) => event.params!.algorithm!);
}
