import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { loadServerConfig } from '../config/load.js';
import { EidError } from '../errors.js';
import { MappingRegistry } from '../identity/mapping-registry.js';
import { createLogger } from '../observability/logger.js';
import { VIEWS_DIR } from '../pages/render.js';
import { ParsedCertificate } from '../pki/certificate.js';
import { decideCertificate, type CertificateDecision } from '../pki/decision.js';
import { formatName } from '../pki/names.js';
import { RevocationChecker } from '../pki/revocation/checker.js';
import { TrustStore } from '../pki/trust-store.js';
import { MemoryStore } from '../store/memory.js';
import { dataDirectoryLayout } from './first-start.js';

/**
 * `eid-idp inspect <file.pem|.der|.p12> [--at <ISO time>] [--offline] [--password <pw>]
 * [--json]`: runs one certificate through decideCertificate, the very function behind a
 * login, with the configured trust store and claim mapping (the configuration is loaded
 * exactly as `eid-idp start` loads it), and prints the decision, the path, every check and
 * the claims, so that an administrator sees why a card is refused.
 *
 * The output is for the administrator's terminal: it shows the certificate's subject and
 * the claims, which the IdP itself never logs.
 */

const run = promisify(execFile);

export const INSPECT_USAGE = `Usage: eid-idp inspect <file.pem|file.der|file.p12> [options]

Options:
  --at <ISO time>      validate at this time instead of now (e.g. 2025-06-01T00:00:00Z)
  --offline            do not contact revocation services (OCSP, CRL): revocation
                       is reported as not checked
  --password <secret>  password of a .p12 file (or EID_IDP_P12_PASSWORD)
  --json               print the result as JSON

Exit status: 0 accepted, 1 refused, 2 bad usage or unreadable file, 78 configuration error.`;

/** Raised for bad arguments or an unreadable file: exit status 2 with the message. */
export class InspectUsageError extends Error {}

interface InspectArgs {
  file: string;
  at: Date;
  offline: boolean;
  password: string | undefined;
  json: boolean;
}

export function parseInspectArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): InspectArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        at: { type: 'string' },
        offline: { type: 'boolean', default: false },
        password: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new InspectUsageError((error as Error).message);
  }
  const [file, ...extra] = parsed.positionals;
  if (file === undefined) throw new InspectUsageError('name a certificate file to inspect');
  if (extra.length > 0) throw new InspectUsageError(`one file at a time (got also ${extra.join(' ')})`);
  let at = new Date();
  if (parsed.values.at !== undefined) {
    at = new Date(parsed.values.at);
    if (Number.isNaN(at.getTime())) {
      throw new InspectUsageError(`--at: "${parsed.values.at}" is not an ISO 8601 time`);
    }
  }
  return {
    file,
    at,
    offline: parsed.values.offline ?? false,
    password: parsed.values.password ?? env.EID_IDP_P12_PASSWORD,
    json: parsed.values.json ?? false,
  };
}

/**
 * The certificates of a file, leaf first: PEM (one or more certificates, leaf first), DER
 * (one certificate) or PKCS#12 (read by the `openssl pkcs12` command: the certificate that
 * belongs to the key first, then the CA certificates).
 */
export async function readPresentedChain(file: string, password?: string): Promise<Uint8Array[]> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new InspectUsageError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
  }
  if (/\.(p12|pfx)$/i.test(file)) return readPkcs12(file, password);
  try {
    return ParsedCertificate.fromPemOrDer(bytes).map((certificate) => certificate.der);
  } catch (error) {
    if (!(error instanceof EidError)) throw error;
    throw new InspectUsageError(`${file} is not a PEM or DER certificate (${error.detail ?? error.message})`);
  }
}

async function readPkcs12(file: string, password: string | undefined): Promise<Uint8Array[]> {
  if (password === undefined) {
    throw new InspectUsageError(`${file} is a PKCS#12 file: give its --password`);
  }
  // The password travels in the environment of the child, never on its command line (ps).
  const pkcs12 = async (selection: string, legacy: boolean): Promise<string> => {
    const args = ['pkcs12', '-in', file, '-nokeys', selection, '-passin', 'env:EID_IDP_P12_PASS'];
    // OpenSSL 3 reads RC2/3DES-protected files (browsers' and old tools' exports) only with
    // its legacy provider.
    if (legacy) args.push('-legacy');
    const { stdout } = await run('openssl', args, {
      env: { ...process.env, EID_IDP_P12_PASS: password },
      maxBuffer: 1 << 20,
    });
    return stdout;
  };
  const read = async (legacy: boolean) => {
    const leaf = await pkcs12('-clcerts', legacy);
    const cas = await pkcs12('-cacerts', legacy);
    return { leaf, cas };
  };
  let pem: { leaf: string; cas: string };
  try {
    pem = await read(false);
  } catch (modern) {
    if ((modern as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InspectUsageError('reading a .p12 file needs the openssl command (Debian package openssl)');
    }
    try {
      pem = await read(true);
    } catch {
      const detail = String((modern as { stderr?: string }).stderr ?? '').trim().split('\n')[0];
      throw new InspectUsageError(`cannot read ${file}: wrong password or not a PKCS#12 file (${detail})`);
    }
  }
  const parse = (text: string) =>
    text.includes('-----BEGIN CERTIFICATE-----') ? ParsedCertificate.fromPemOrDer(text) : [];
  const certificates = [...parse(pem.leaf), ...parse(pem.cas)];
  if (certificates.length === 0) throw new InspectUsageError(`${file} holds no certificate`);
  return certificates.map((certificate) => certificate.der);
}

/**
 * The trust store, card profiles and revocation checker of the configuration, loaded as
 * `start` loads them. OCSP answers are cached in memory only: the command is one process.
 */
async function loadConfiguredDecisionInputs(offline: boolean) {
  const config = loadServerConfig();
  // start creates the demo PKI on first run; inspect only reads, so it trusts the demo
  // anchors when they already exist and never writes into the data directory.
  const demoTrust = dataDirectoryLayout(config.dataDir).demo.trustDir;
  const directories = [
    ...config.trust.directories,
    ...(config.demo.enabled && existsSync(path.join(demoTrust, 'trust.yaml')) ? [demoTrust] : []),
  ];
  const trustStore = await TrustStore.loadDirectories(directories);
  const mapping = new MappingRegistry({ file: config.claimMapping.file });
  const revocation = offline
    ? undefined
    : new RevocationChecker({
        settings: config.revocation,
        store: new MemoryStore(),
        // Logs go to stderr so that stdout stays the report (and valid JSON with --json).
        logger: createLogger(config.log.level, process.stderr),
      });
  return { trustStore, profiles: mapping.current.profiles, revocation };
}

interface Report {
  file: string;
  at: string;
  revocationChecked: boolean;
  decision: 'accepted' | 'refused';
  code?: string;
  detail?: string;
  message?: string;
  certificate?: {
    subject: string;
    issuer: string;
    serialNumber: string;
    notBefore: string;
    notAfter: string;
    sha256: string;
  };
  path?: { role: string; subject: string; sha256: string }[];
  anchor?: { subject: string; spkiSha256: string; profile?: string; environment: string; source: string };
  checks: { name: string; ok: boolean; detail?: string }[];
  profile?: string;
  claims?: unknown;
  acr?: string;
  amr?: string[];
  revocation?: string;
  revocationReason?: string;
}

function citizenMessage(code: string): string | undefined {
  try {
    const file = path.join(VIEWS_DIR, 'locales', 'en.json');
    const messages = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    return messages[`error.${code}.title`];
  } catch {
    return undefined;
  }
}

function buildReport(
  args: InspectArgs,
  leaf: ParsedCertificate | undefined,
  decision: CertificateDecision,
): Report {
  const report: Report = {
    file: args.file,
    at: args.at.toISOString(),
    revocationChecked: false,
    decision: decision.ok ? 'accepted' : 'refused',
    checks: decision.checks.map((check) => ({ ...check })),
  };
  if (leaf) {
    const facts = leaf.facts();
    report.certificate = {
      subject: formatName(facts.subject),
      issuer: formatName(facts.issuer),
      serialNumber: leaf.serialNumber,
      notBefore: leaf.notBefore.toISOString(),
      notAfter: leaf.notAfter.toISOString(),
      sha256: leaf.sha256,
    };
  }
  if (!decision.ok) {
    report.code = decision.code;
    report.detail = decision.detail;
    const message = citizenMessage(decision.code);
    if (message) report.message = message;
    return report;
  }
  report.path = decision.path.map((certificate, index) => ({
    role: index === 0 ? 'leaf' : 'intermediate',
    subject: formatName(certificate.facts().subject),
    sha256: certificate.sha256,
  }));
  const anchor = decision.anchor;
  report.anchor = {
    subject: formatName(anchor.certificate.facts().subject),
    spkiSha256: anchor.certificate.spkiSha256,
    environment: anchor.environment,
    source: anchor.source,
    ...(anchor.profile ? { profile: anchor.profile } : {}),
  };
  report.profile = decision.identity.profile;
  report.claims = decision.identity.claims;
  report.acr = decision.identity.acr;
  report.amr = decision.identity.amr;
  report.revocation = decision.revocation;
  report.revocationReason = decision.revocationReason;
  report.revocationChecked = decision.revocation !== 'not_checked';
  return report;
}

function printText(report: Report, out: (line: string) => void): void {
  const verdict =
    report.decision === 'accepted' ? 'ACCEPTED' : `REFUSED ${report.code ?? ''}`.trim();
  out(`Decision: ${verdict}`);
  if (report.detail) out(`  reason: ${report.detail}`);
  if (report.message) out(`  the citizen sees: "${report.message}"`);
  out(`  validated at ${report.at}`);
  if (report.certificate) {
    const c = report.certificate;
    out('');
    out('Certificate');
    out(`  subject  ${c.subject}`);
    out(`  issuer   ${c.issuer}`);
    out(`  serial   ${c.serialNumber}`);
    out(`  valid    ${c.notBefore} .. ${c.notAfter}`);
    out(`  sha256   ${c.sha256}`);
  }
  if (report.path && report.anchor) {
    out('');
    out('Path');
    for (const [index, step] of report.path.entries()) {
      out(`  ${index}. ${step.role.padEnd(12)} ${step.subject}  (sha256 ${step.sha256.slice(0, 16)}…)`);
    }
    const a = report.anchor;
    out(
      `  ${report.path.length}. ${'anchor'.padEnd(12)} ${a.subject}  (key sha256 ${a.spkiSha256.slice(0, 16)}…, ` +
        `${a.profile ?? 'no profile hint'}, ${a.environment}, from ${a.source})`,
    );
  }
  out('');
  out('Checks');
  for (const check of report.checks) {
    out(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}${check.detail ? ` — ${check.detail}` : ''}`);
  }
  if (report.profile) {
    out('');
    out(`Claims (card profile ${report.profile})`);
    out(`  acr  ${report.acr}`);
    out(`  amr  ${(report.amr ?? []).join(' ')}`);
    for (const [name, value] of Object.entries((report.claims ?? {}) as Record<string, unknown>)) {
      out(`  ${name.padEnd(12)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
    }
  }
  out('');
  const reason = report.revocationReason ? ` (${report.revocationReason})` : '';
  out(`Revocation: ${report.revocation ?? 'not reached'}${reason}`);
}

/** Runs the command; returns the exit status. */
export async function inspectCommand(
  argv: string[],
  io: { out: (text: string) => void; err: (text: string) => void } = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  },
): Promise<number> {
  let args: InspectArgs;
  let presented: Uint8Array[];
  try {
    args = parseInspectArgs(argv);
    presented = await readPresentedChain(args.file, args.password);
  } catch (error) {
    if (!(error instanceof InspectUsageError)) throw error;
    io.err(`inspect: ${error.message}\n\n${INSPECT_USAGE}\n`);
    return 2;
  }

  const inputs = await loadConfiguredDecisionInputs(args.offline); // ConfigError: main (78)
  let decision: CertificateDecision;
  try {
    decision = await decideCertificate(
      presented,
      { ...inputs, skipRevocation: args.offline },
      args.at,
    );
  } finally {
    await inputs.revocation?.close();
  }
  let leaf: ParsedCertificate | undefined;
  try {
    leaf = presented[0] ? ParsedCertificate.fromDer(presented[0]) : undefined;
  } catch {
    leaf = undefined;
  }
  const report = buildReport(args, leaf, decision);
  if (args.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else printText(report, (line) => io.out(`${line}\n`));
  return decision.ok ? 0 : 1;
}
