import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HandshakeResult } from './handshakes.js';
import type { LoadResult } from './load.js';
import type { ProfileSummary } from './profile-summary.js';
import type { machine } from './proc.js';
import type { ValidationResult } from './validation.js';

/** One bench run, written as JSON and as the Markdown table the README quotes. */
export interface BenchReport {
  machine: ReturnType<typeof machine> & { clientCore: string; serverCores: string; pinned: boolean };
  options: Record<string, unknown>;
  validation?: ValidationResult;
  runs: Record<string, (LoadResult & { name: string; profile?: ProfileSummary }) | { name: string; notAvailable: string }>;
  route: { idp?: HandshakeResult; nginx?: HandshakeResult; bareNode?: HandshakeResult; idpProfile?: ProfileSummary };
  sessions?:
    | { notAvailable: string }
    | {
        sessionsSeeded: number;
        seedSeconds: number;
        redisKeysWithPrefix: number | undefined;
        rssMiB: { afterFirstRun: number; beforeSeeding: number; afterSeeding: number; afterSecondRun: number; afterThirdRun: number };
        loginsBefore: number;
        loginsAfter: number;
        cpuMsPerLoginBefore: number;
        cpuMsPerLoginAfter: number;
      };
  ratios?: Record<string, number | undefined>;
  notes: string[];
}

const TARGETS = {
  fullLoginMemoryOverBare: 1.5,
  routeOverNginx: 1.75,
  newLeafP50Ms: 0.5,
  returningP50Ms: 0.05,
};

const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : '**missed**');

export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const lines: string[] = [];
  lines.push(`# eid-idp benchmark — ${m.date.slice(0, 10)}`, '');
  lines.push(
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.totalMemoryMiB} MiB, ${m.os}, Node ${m.node}, OpenSSL ${m.opensslVersion}. ` +
      `Load generator pinned to core ${m.clientCore}, servers to core(s) ${m.serverCores}${m.pinned ? '' : ' (NOT pinned: one core)'}; ` +
      `load average at start ${m.loadAverageAtStart.join(' / ')} (a shared machine: absolute numbers are noisy, ratios within this run are what counts). ` +
      `Run: ${report.options.concurrency} virtual users, ${report.options.seconds} s measured per server after ${report.options.warmupSeconds} s warm-up ` +
      `(bare oidc-provider and eid-idp/memory in ${report.options.rounds} alternating windows), ` +
      `${report.options.citizens} distinct citizens (RSA-2048, DNIe profile), prompt=consent on every login.`,
    '',
  );

  const r = report.ratios ?? {};
  const v = report.validation;
  lines.push('## Targets', '', '| target | measured | goal | verdict |', '| --- | --- | --- | --- |');
  lines.push(
    `| full login CPU, eid-idp (memory) ÷ bare oidc-provider | ${fmt(r.fullLoginMemoryOverBare, '×')} | ≤ 1.5× | ${verdict(r.fullLoginMemoryOverBare === undefined ? undefined : r.fullLoginMemoryOverBare <= TARGETS.fullLoginMemoryOverBare)} |`,
    `| certificate route server CPU ÷ nginx handshake | ${fmt(r.routeOverNginx, '×')} | ≤ 1.75× | ${verdict(r.routeOverNginx === undefined ? undefined : r.routeOverNginx <= TARGETS.routeOverNginx)} |`,
    `| new leaf, intermediates and OCSP cached, p50 | ${fmt(v?.newLeafOcspCachedMs.p50, ' ms')} | < 0.5 ms | ${verdict(v ? v.newLeafOcspCachedMs.p50 < TARGETS.newLeafP50Ms : undefined)} |`,
    `| returning card (OCSP cached), p50 | ${fmt(v?.returningCardOcspMs.p50, ' ms')} | < 0.05 ms | ${verdict(v ? v.returningCardOcspMs.p50 < TARGETS.returningP50Ms : undefined)} |`,
    '',
  );

  lines.push(
    '## Complete logins',
    '',
    '| run | logins/s | server CPU ms/login | CPU ms/login per process | login p50 / p95 / p99 ms | peak RSS MiB | errors |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  const stepNames = new Set<string>();
  for (const run of Object.values(report.runs)) {
    if ('notAvailable' in run) {
      lines.push(`| ${run.name} | not available: ${run.notAvailable.replace(/\|/g, '/').slice(0, 160)} | | | | | |`);
      continue;
    }
    Object.keys(run.steps).forEach((step) => stepNames.add(step));
    lines.push(
      `| ${run.name} | ${run.loginsPerSecond} | ${run.cpuMsPerLogin} | ${run.cpuMsPerLoginByProcess.join(' + ')} | ${run.total.p50} / ${run.total.p95} / ${run.total.p99} | ${run.rssMiB.peak} | ${run.errors}${run.errors && run.firstError ? ` (${oneLine(run.firstError)})` : ''}${run.warmupErrors ? `; ${run.warmupErrors} in warm-up (${oneLine(run.firstWarmupError ?? '')})` : ''} |`,
    );
  }
  lines.push('');
  if (stepNames.size > 0) {
    const steps = [...stepNames];
    lines.push('### Steps (p50 / p95 / p99 ms, client side)', '', `| run | ${steps.join(' | ')} |`, `| --- |${steps.map(() => ' --- |').join('')}`);
    for (const run of Object.values(report.runs)) {
      if ('notAvailable' in run) continue;
      lines.push(`| ${run.name} | ${steps.map((step) => (run.steps[step] ? `${run.steps[step]!.p50} / ${run.steps[step]!.p95} / ${run.steps[step]!.p99}` : '—')).join(' | ')} |`);
    }
    lines.push('', 'bare oidc-provider has no certificate step; its `login_submit` is the development login form.', '');
  }

  if (Object.keys(report.route).length > 0) {
  lines.push('## Certificate route vs nginx (fresh TLS 1.2 handshakes with an RSA-2048 client certificate)', '');
  lines.push('| server | handshakes | per second | server CPU ms/handshake | ÷ nginx |', '| --- | --- | --- | --- | --- |');
  const nginx = report.route.nginx?.serverCpuMsPerHandshake;
  for (const [label, result] of [
    ['nginx, ssl_verify_client on', report.route.nginx],
    ['bare Node https, requestCert', report.route.bareNode],
    ['eid-idp certificate route (handshake, validation, mapping, handle)', report.route.idp],
  ] as const) {
    if (!result) continue;
    lines.push(
      `| ${label} | ${result.handshakes}${result.errors ? ` (${result.errors} errors)` : ''} | ${result.perSecond} | ${result.serverCpuMsPerHandshake} | ${nginx ? fmt(result.serverCpuMsPerHandshake / nginx, '×') : 'n/a'} |`,
    );
  }
  lines.push('');
  }

  if (v) {
    lines.push('## Certificate validation (one DNIe chain, in process)', '', '| case | p50 ms | p95 ms | p99 ms | samples |', '| --- | --- | --- | --- | --- |');
    for (const [label, d] of [
      ['cold (new trust store)', v.coldMs],
      ['new leaf, warm caches', v.newLeafWarmMs],
      ['returning card', v.returningCardMs],
      ['new leaf, warm, OCSP verdict in the shared store', v.newLeafOcspCachedMs],
      ['returning card, OCSP on', v.returningCardOcspMs],
      ["pkijs CertificateChainValidationEngine alone (with pkijs's parser)", v.pkijsEngineMs],
    ] as const) {
      lines.push(`| ${label} | ${d.p50} | ${d.p95} | ${d.p99} | ${d.count} |`);
    }
    lines.push('', `pkijs ÷ new leaf (OCSP cached): ${v.ratios.pkijsOverNewLeaf}×; pkijs ÷ returning card (OCSP on): ${v.ratios.pkijsOverReturning}×. Revocation: ${v.revocation}.`, '');
    const refusals = Object.entries(v.refusals);
    if (refusals.length > 0) {
      lines.push(`**Valid citizens refused during the validation runs** (samples dropped): ${refusals.map(([what, n]) => `${n}× ${what}`).join('; ')}.`, '');
    }
  }

  const s = report.sessions;
  const memoryRun = report.runs.memory && !('notAvailable' in report.runs.memory) ? report.runs.memory : undefined;
  if (s) {
    lines.push('## Live sessions in Redis vs IdP memory', '');
    if ('notAvailable' in s) lines.push(`Not available: ${s.notAvailable}`, '');
    else {
      lines.push(
        `| sessions seeded | Redis keys (run prefix) | IdP RSS after first run | before seeding | after seeding | after second run | after third run | CPU ms/login before → after |`,
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        `| ${s.sessionsSeeded} (in ${s.seedSeconds} s) | ${s.redisKeysWithPrefix ?? 'n/a'} | ${s.rssMiB.afterFirstRun} MiB | ${s.rssMiB.beforeSeeding} MiB | ${s.rssMiB.afterSeeding} MiB | ${s.rssMiB.afterSecondRun} MiB | ${s.rssMiB.afterThirdRun} MiB | ${s.cpuMsPerLoginBefore} → ${s.cpuMsPerLoginAfter} |`,
        '',
        `The seeded sessions live only in Redis: the IdP's resident memory moves with its own warm-up and garbage collection, not with the number of sessions. ` +
          `For contrast, the memory store keeps every session in the process (run "eid-idp, memory store": RSS ${memoryRun ? `${memoryRun.rssMiB.start} → ${memoryRun.rssMiB.end} MiB over ${memoryRun.logins} logins` : 'n/a'}).`,
        '',
      );
    }
  }

  const profiled: [string, ProfileSummary, string][] = [];
  for (const run of Object.values(report.runs)) {
    if ('profile' in run && run.profile) profiled.push([run.name, run.profile, 'login']);
  }
  if (report.route.idpProfile) profiled.push(['eid-idp certificate route alone', report.route.idpProfile, 'handshake']);
  for (const [name, profile, unit] of profiled) {
    lines.push(
      `## Where the CPU goes: ${name} (CPU profile of the measured window, self time, JavaScript thread: ${profile.usPerLogin} µs/${unit})`,
      '',
      `| area | µs/${unit} | share |`,
      '| --- | --- | --- |',
    );
    for (const area of profile.byArea.slice(0, 16)) lines.push(`| ${area.area} | ${area.usPerLogin} | ${area.share}% |`);
    lines.push('', `| function | area | µs/${unit} | share |`, '| --- | --- | --- | --- |');
    for (const fn of profile.topFunctions.slice(0, 15)) lines.push(`| \`${fn.name}\` | ${fn.area} | ${fn.usPerLogin} | ${fn.share}% |`);
    lines.push('');
  }
  if (report.notes.length > 0) lines.push('## Notes', '', ...report.notes.map((note) => `- ${note}`), '');
  return lines.join('\n');
}

function oneLine(text: string): string {
  return text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').replace(/\|/g, '/').slice(0, 100);
}

function fmt(value: number | undefined, unit: string): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : `${Math.round(value * 100) / 100}${unit}`;
}

/** Writes `<date>.md` and `<date>.json`; a full run also becomes `latest.md`/`latest.json`. */
export function writeReport(report: BenchReport, outDir: string, asLatest: boolean): { markdown: string; json: string } {
  mkdirSync(outDir, { recursive: true });
  const stamp = report.machine.date.replace(/[:]/g, '-').replace(/\..*$/, 'Z');
  const markdown = path.join(outDir, `${stamp}.md`);
  const json = path.join(outDir, `${stamp}.json`);
  writeFileSync(markdown, renderMarkdown(report));
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  if (asLatest) {
    copyFileSync(markdown, path.join(outDir, 'latest.md'));
    copyFileSync(json, path.join(outDir, 'latest.json'));
  }
  return { markdown, json };
}
