import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { EidError } from '../errors.js';
import { loadAnchorManifest, type ManifestEntry } from '../pki/anchor-manifest.js';
import { ParsedCertificate } from '../pki/certificate.js';

/**
 * `eid-idp fetch-anchors [--manifest <file>] [--out <dir>] [--environment production|test]`
 * (also `npm run fetch-anchors`): downloads every CA certificate of the manifest that has an
 * official URL and a known SHA-256, refuses any file whose SHA-256 differs, and writes the
 * verified ones as PEM with a `trust.yaml` the trust store loads (anchors with their profile
 * and environment, intermediates for path building).
 *
 * A certificate already in the output directory with the right fingerprint is kept without
 * downloading it again. Entries without URL or fingerprint are listed as skipped: nothing is
 * ever trusted on first use.
 */

export const FETCH_USAGE = `Usage: eid-idp fetch-anchors [options]

Options:
  --manifest <file>     the manifest (default ca-bundle/manifest.yaml)
  --out <dir>           where to write the certificates and trust.yaml (default: the
                        manifest's directory)
  --environment <env>   only production or only test entries (default both)
  --refresh             download again even what is already present and verified

Exit status: 0 every downloadable entry verified, 1 some download refused or failed,
2 bad usage, 78 invalid manifest.`;

/** Most bytes accepted for one CA certificate: real ones are a few kilobytes. */
const MAX_CERTIFICATE_BYTES = 256 * 1024;
/** Per download: connecting, redirects and the body together. */
const DOWNLOAD_TIMEOUT_MS = 20_000;

type Outcome =
  | { kind: 'installed' | 'present'; entry: ManifestEntry & { file: string } }
  | { kind: 'skipped'; entry: ManifestEntry; reason: string }
  | { kind: 'refused'; entry: ManifestEntry; reason: string };

class UsageError extends Error {}

function options(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        manifest: { type: 'string', default: path.join('ca-bundle', 'manifest.yaml') },
        out: { type: 'string' },
        environment: { type: 'string' },
        refresh: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const environment = parsed.values.environment;
  if (environment !== undefined && environment !== 'production' && environment !== 'test') {
    throw new UsageError(`--environment must be production or test, not "${environment}"`);
  }
  const manifest = path.resolve(parsed.values.manifest ?? 'ca-bundle/manifest.yaml');
  return {
    manifest,
    out: path.resolve(parsed.values.out ?? path.dirname(manifest)),
    environment,
    refresh: parsed.values.refresh ?? false,
  };
}

/** The one certificate in a downloaded body (DER or PEM), or why not. */
function certificateIn(body: Uint8Array): ParsedCertificate | string {
  try {
    const certificates = ParsedCertificate.fromPemOrDer(body);
    if (certificates.length !== 1) return `${certificates.length} certificates in one file`;
    return certificates[0] ?? 'no certificate';
  } catch (error) {
    if (error instanceof EidError) return `not a certificate (${error.detail ?? error.message})`;
    throw error;
  }
}

async function download(url: string): Promise<Uint8Array> {
  const response = await fetch(url, {
    redirect: 'follow',
    signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_CERTIFICATE_BYTES) throw new Error(`${declared} bytes is too large`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  // Read in chunks so that a server lying about (or omitting) its length cannot make us buffer
  // more than the bound.
  for (let part = await reader?.read(); part && !part.done; part = await reader?.read()) {
    size += part.value.byteLength;
    if (size > MAX_CERTIFICATE_BYTES) {
      await reader?.cancel();
      throw new Error(`more than ${MAX_CERTIFICATE_BYTES} bytes`);
    }
    chunks.push(part.value);
  }
  return Buffer.concat(chunks);
}

function verify(entry: ManifestEntry, certificate: ParsedCertificate): string | undefined {
  if (certificate.sha256 !== entry.sha256) {
    return `SHA-256 ${certificate.sha256} differs from the manifest's ${entry.sha256}`;
  }
  if (!certificate.isCa) return 'not a CA certificate';
  return undefined;
}

async function fetchOne(entry: ManifestEntry, out: string, refresh: boolean): Promise<Outcome> {
  if (entry.sha256 === null) {
    return { kind: 'skipped', entry, reason: 'fingerprint unknown: never installed unverified' };
  }
  if (entry.url === null || entry.file === null) {
    return { kind: 'skipped', entry, reason: 'no published download URL' };
  }
  const named = { ...entry, file: entry.file };
  const target = path.join(out, entry.file);
  if (!refresh && existsSync(target)) {
    const present = certificateIn(readFileSync(target));
    if (typeof present !== 'string' && verify(entry, present) === undefined) {
      return { kind: 'present', entry: named };
    }
  }

  let body: Uint8Array;
  try {
    body = await download(entry.url);
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message;
    return { kind: 'refused', entry, reason: `download failed: ${reason}` };
  }
  const certificate = certificateIn(body);
  if (typeof certificate === 'string') return { kind: 'refused', entry, reason: certificate };
  const problem = verify(entry, certificate);
  if (problem) return { kind: 'refused', entry, reason: problem };

  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, certificate.pem);
  renameSync(temporary, target);
  return { kind: 'installed', entry: named };
}

/** trust.yaml for what is installed, in the format trust-config.ts loads. */
function trustYaml(installed: Array<ManifestEntry & { file: string }>): string {
  const anchors = installed
    .filter((entry) => entry.role === 'anchor')
    .map((entry) => ({ file: entry.file, profile: entry.profile, environment: entry.environment }));
  const intermediates = installed
    .filter((entry) => entry.role === 'intermediate')
    .map((entry) => ({ file: entry.file }));
  return (
    '# Written by eid-idp fetch-anchors from manifest.yaml: every file below matched its\n' +
    '# SHA-256 in the manifest. Re-run the command rather than editing by hand.\n' +
    stringify({ anchors, intermediates })
  );
}

/** Runs the command; returns the exit status. */
export async function fetchAnchorsCommand(
  argv: string[],
  io: { out: (text: string) => void; err: (text: string) => void } = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  },
): Promise<number> {
  let settings;
  try {
    settings = options(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`fetch-anchors: ${error.message}\n\n${FETCH_USAGE}\n`);
    return 2;
  }
  const entries = loadAnchorManifest(settings.manifest).filter(
    (entry) => settings.environment === undefined || entry.environment === settings.environment,
  );
  mkdirSync(settings.out, { recursive: true });

  const outcomes: Outcome[] = [];
  for (const entry of entries) {
    const outcome = await fetchOne(entry, settings.out, settings.refresh);
    outcomes.push(outcome);
    const where = `${entry.profile} ${entry.environment} ${entry.role} "${entry.name}"`;
    if (outcome.kind === 'installed') io.out(`installed  ${where} -> ${outcome.entry.file}\n`);
    else if (outcome.kind === 'present') io.out(`verified   ${where} (already present)\n`);
    else if (outcome.kind === 'skipped') io.out(`skipped    ${where}: ${outcome.reason}\n`);
    else if (outcome.kind === 'refused') io.err(`REFUSED    ${where} from ${entry.url ?? ''}: ${outcome.reason}\n`);
  }

  const installed = outcomes.flatMap((outcome) =>
    outcome.kind === 'installed' || outcome.kind === 'present' ? [outcome.entry] : [],
  );
  const trustFile = path.join(settings.out, 'trust.yaml');
  const temporary = `${trustFile}.${process.pid}.tmp`;
  writeFileSync(temporary, trustYaml(installed));
  renameSync(temporary, trustFile);

  const refused = outcomes.filter((outcome) => outcome.kind === 'refused').length;
  const anchors = installed.filter((entry) => entry.role === 'anchor').length;
  io.out(
    `${installed.length} certificates verified (${anchors} anchors) in ${settings.out}; ` +
      `${refused} refused; trust.yaml written.\n`,
  );
  return refused > 0 ? 1 : 0;
}
