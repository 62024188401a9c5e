import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { BenchHttp, CookieJar } from './lib/browser.js';
import { loadMaterial, type BenchMaterial } from './lib/citizens.js';
import { runHandshakes } from './lib/handshakes.js';
import { mergeLoads, runLoad, type LoadResult } from './lib/load.js';
import { bareLogin, eidLogin, relyingParty, stepTokenIn, type LoginTarget } from './lib/logins.js';
import { startNginx } from './lib/nginx.js';
import { parseOptions } from './lib/options.js';
import { corePlan, freePort, machine, memoryMiB, pinSelf, startNodeServer, type StartedServer } from './lib/proc.js';
import { summariseProfile, type ProfileSummary } from './lib/profile-summary.js';
import { writeReport, type BenchReport } from './lib/report.js';
import { seedSessions } from './lib/sessions.js';
import { round } from './lib/stats.js';
import { benchValidation } from './lib/validation.js';
import { BENCH_CLIENT } from './servers/common.js';
import { openBenchStore } from './servers/store.js';

/**
 * `npm run bench`: complete logins against real IdP processes and, in the same run, the
 * baselines they are judged against (bare oidc-provider, nginx's mTLS handshake, pkijs's
 * engine). The load generator (this process) is pinned to core 0 and every server to the
 * other cores, so server CPU read from /proc is the server's alone.
 */
const BENCH_DIR = path.dirname(new URL(import.meta.url).pathname);
const options = parseOptions(process.argv.slice(2));
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const wants = (part: string) => !options.only || options.only.includes(part);

const cores = corePlan();
pinSelf(cores.client);
const work = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-bench-'));
const report: BenchReport = {
  machine: { ...machine(), clientCore: cores.client, serverCores: cores.server, pinned: cores.pinned },
  options: { ...options, outDir: undefined },
  runs: {},
  route: {},
  notes: [],
};
const running = new Set<StartedServer>();
const cleanupPrefixes: string[] = [];

async function main(): Promise<void> {
  const material = await loadMaterial(options.citizens, log);
  const materialFile = path.join(work, 'material.json');
  writeFileSync(materialFile, JSON.stringify(material), { mode: 0o600 });

  if (wants('validation')) {
    log('certificate validation: decision function vs pkijs engine');
    report.validation = await benchValidation(material, options.validationRounds);
  }
  if (wants('bare') || wants('memory') || wants('route')) {
    await pairedRuns(materialFile, material);
  }
  if (wants('route')) {
    await handshakeBaselines(materialFile, material);
  }
  if (wants('redis')) {
    report.runs.redis = await loginRun('eid-idp, Redis store, 1 process', 'eid-idp.ts', materialFile, material, redisSettings());
  }
  if (wants('cluster')) {
    report.runs.redis2 = await loginRun('eid-idp, Redis store, 2 processes (cluster)', 'eid-idp.ts', materialFile, material, {
      ...redisSettings(),
      workers: 2,
    });
  }
  if (wants('sessions')) {
    report.sessions = await sessionsRun(materialFile, material);
  }
  addRatios();
  const outDir = options.outDir ?? path.join(BENCH_DIR, options.smoke ? '.cache/smoke-results' : 'results');
  const written = writeReport(report, outDir, !options.smoke && !options.outDir);
  log(`results: ${written.markdown}`);
  process.stdout.write(`${JSON.stringify({ markdown: written.markdown, json: written.json })}\n`);
}

function redisSettings() {
  const prefix = `bench-${process.pid}-${Date.now()}-${cleanupPrefixes.length}:`;
  cleanupPrefixes.push(prefix);
  return { store: 'redis' as const, redisUrl: options.redisUrl, redisPrefix: prefix };
}

type RunOutcome = (LoadResult & { name: string; profile?: ProfileSummary }) | { name: string; notAvailable: string };

/** One server under test with its relying party, measured in one or more windows. */
interface Contender {
  name: string;
  server: StartedServer;
  ports: { oidc: number; certificate: number };
  http: BenchHttp;
  login: (citizen: BenchMaterial['citizens'][number]) => Promise<{ total: number; steps: Record<string, number> }>;
  windows: Awaited<ReturnType<typeof runLoad>>[];
  profileFile: string | undefined;
}

async function startContender(
  name: string,
  script: string,
  materialFile: string,
  material: BenchMaterial,
  extra: Record<string, unknown>,
  profile = false,
): Promise<Contender | { name: string; notAvailable: string }> {
  log(`${name}: starting`);
  const ports = { oidc: await freePort(), certificate: await freePort() };
  // Profiles are large: they stay under bench/.cache (git-ignored), the report summarises them.
  const profileFile = profile
    ? path.join(BENCH_DIR, '.cache', 'profiles', `${script.replace(/\.ts$/, '')}-${String(extra.store ?? 'memory')}-${Date.now()}.cpuprofile`)
    : undefined;
  if (profileFile) mkdirSync(path.dirname(profileFile), { recursive: true });
  let server: StartedServer;
  try {
    server = await startNodeServer(
      path.join(BENCH_DIR, 'servers', script),
      { materialFile, host: '127.0.0.1', ports, logLevel: options.logLevel, ...extra },
      { core: cores.server, settingsFile: path.join(work, `settings-${ports.oidc}.json`) },
    );
  } catch (error) {
    const reason = String((error as Error).message);
    if (/RedisUnavailable|src\/store\/redis/.test(reason)) {
      log(`${name}: not available (${reason.split('\n')[0]})`);
      return { name, notAvailable: reason.split('\n').find((line) => /redis/i.test(line)) ?? reason.slice(0, 300) };
    }
    throw error;
  }
  running.add(server);
  const http = new BenchHttp(material.tlsCaPem, options.concurrency * 2);
  const issuer = `https://localhost:${ports.oidc}`;
  const target: LoginTarget = {
    issuer,
    certificateOrigin: `https://localhost:${ports.certificate}`,
    http,
    rp: await relyingParty(issuer, http),
    forceConsent: true,
  };
  const login = script === 'bare-provider.ts' ? bareLogin : eidLogin;
  return { name, server, ports, http, login: (citizen) => login(target, citizen), windows: [], profileFile };
}

/** One measured window; a profile spans from the first window to the last. */
async function measure(contender: Contender, material: BenchMaterial, seconds: number, warmupSeconds: number, first = true, last = true): Promise<void> {
  const { server, profileFile } = contender;
  const part = await runLoad({
    concurrency: options.concurrency,
    seconds,
    warmupSeconds,
    citizens: material.citizens,
    serverPids: server.pids,
    login: contender.login,
    window: profileFile
      ? {
          open: () => (first ? server.command!('profile-start', 'BENCH_PROFILE started') : Promise.resolve()),
          close: () => (last ? server.command!(`profile-stop ${profileFile}`, 'BENCH_PROFILE stopped') : Promise.resolve()),
        }
      : undefined,
  });
  contender.windows.push(part);
}

async function stopContender(contender: Contender): Promise<RunOutcome> {
  await contender.http.close();
  await contender.server.stop();
  running.delete(contender.server);
  const result = mergeLoads(contender.windows);
  log(`${contender.name}: ${result.logins} logins, ${result.loginsPerSecond}/s, ${result.cpuMsPerLogin} ms CPU/login, ${result.errors} errors`);
  const profile = contender.profileFile ? summariseProfile(contender.profileFile, result.logins) : undefined;
  return { name: contender.name, ...result, ...(profile ? { profile } : {}) };
}

async function loginRun(
  name: string,
  script: string,
  materialFile: string,
  material: BenchMaterial,
  extra: Record<string, unknown>,
  hooks: { afterLoad?: (server: StartedServer, ports: { oidc: number; certificate: number }) => Promise<void> } = {},
): Promise<RunOutcome> {
  const contender = await startContender(name, script, materialFile, material, extra);
  if ('notAvailable' in contender) return contender;
  try {
    await measure(contender, material, options.seconds, options.warmupSeconds);
    await hooks.afterLoad?.(contender.server, contender.ports);
  } catch (error) {
    await contender.http.close().catch(() => undefined);
    throw error; // the server itself is stopped by shutdown()
  }
  return stopContender(contender);
}

/**
 * Baseline (a) and eid-idp measured in alternating windows (the machine is shared: load from
 * others then falls on both alike), merged per server.
 */
async function pairedRuns(materialFile: string, material: BenchMaterial): Promise<void> {
  const contenders: Contender[] = [];
  for (const [name, script, extra] of [
    ['bare oidc-provider (baseline a)', 'bare-provider.ts', {}],
    ['eid-idp, memory store, 1 process', 'eid-idp.ts', { store: 'memory' }],
  ] as const) {
    if (!wants(script === 'eid-idp.ts' ? 'memory' : 'bare')) continue;
    const contender = await startContender(name, script, materialFile, material, extra, options.profile);
    if ('notAvailable' in contender) throw new Error(`${name}: ${contender.notAvailable}`);
    contenders.push(contender);
  }
  const rounds = Math.max(1, options.rounds);
  const seconds = Math.max(1, Math.round(options.seconds / rounds));
  for (let round = 0; round < rounds; round += 1) {
    for (const contender of contenders) {
      log(`${contender.name}: window ${round + 1}/${rounds}`);
      await measure(contender, material, seconds, round === 0 ? options.warmupSeconds : 1, round === 0, round === rounds - 1);
    }
  }
  for (const contender of contenders) {
    const isIdp = contender.name.startsWith('eid-idp');
    if (isIdp && wants('route')) await routeRun(contender.server, contender.ports, material);
    const outcome = await stopContender(contender);
    if (isIdp) report.runs.memory = outcome;
    else report.runs.bare = outcome;
  }
}

/** The certificate route alone on the IdP: many fresh mTLS handshakes, one live interaction each. */
async function routeRun(server: StartedServer, ports: { oidc: number; certificate: number }, material: BenchMaterial): Promise<void> {
  log('certificate route: creating interactions');
  const http = new BenchHttp(material.tlsCaPem, 4);
  const uids: string[] = [];
  const stepTokens: string[] = [];
  try {
    const issuer = `https://localhost:${ports.oidc}`;
    const rp = await relyingParty(issuer, http);
    const target: LoginTarget = { issuer, http, rp, forceConsent: true };
    const { buildAuthorizationUrl, randomPKCECodeVerifier, calculatePKCECodeChallenge } = await import('openid-client');
    const challenge = await calculatePKCECodeChallenge(randomPKCECodeVerifier());
    const create = async () => {
      const url = buildAuthorizationUrl(target.rp, {
        redirect_uri: BENCH_CLIENT.redirect_uri,
        scope: 'openid profile',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'bench',
        nonce: 'bench',
      });
      const jar = new CookieJar();
      const answer = await http.send(jar, url.href);
      // The login page's "Continue" form carries the step token the certificate route checks.
      const loginPage = await http.send(jar, answer.location!);
      uids.push(new URL(answer.location!).pathname.split('/')[2]!);
      stepTokens.push(stepTokenIn(loginPage.body));
    };
    for (let i = 0; i < options.handshakes; i += 8) await Promise.all(Array.from({ length: Math.min(8, options.handshakes - i) }, create));
  } finally {
    await http.close();
  }
  log(`certificate route: ${uids.length} fresh handshakes with client certificates`);
  const profileFile = path.join(BENCH_DIR, '.cache', 'profiles', `certificate-route-${Date.now()}.cpuprofile`);
  if (options.profile) {
    mkdirSync(path.dirname(profileFile), { recursive: true });
    await server.command!('profile-start', 'BENCH_PROFILE started');
  }
  report.route.idp = await runHandshakes(
    {
      port: ports.certificate,
      path: (i) => `/interaction/${uids[i]}/certificate`,
      form: (i) => new URLSearchParams({ step_token: stepTokens[i]! }).toString(),
      expectStatus: 303,
    },
    { count: uids.length, concurrency: options.concurrency, cards: material.citizens, caPem: material.tlsCaPem, serverPids: server.pids },
  );
  if (options.profile) {
    await server.command!(`profile-stop ${profileFile}`, 'BENCH_PROFILE stopped');
    report.route.idpProfile = summariseProfile(profileFile, report.route.idp.handshakes);
  }
}

/** Baseline (b): nginx with ssl_verify_client on, and bare Node https as a reference. */
async function handshakeBaselines(materialFile: string, material: BenchMaterial): Promise<void> {
  const run = async (label: 'nginx' | 'bareNode', server: StartedServer, port: number) => {
    running.add(server);
    try {
      log(`${label}: ${options.handshakes} fresh handshakes with client certificates`);
      report.route[label] = await runHandshakes(
        { port, path: () => '/interaction/x/certificate', expectStatus: 200 },
        { count: options.handshakes, concurrency: options.concurrency, cards: material.citizens, caPem: material.tlsCaPem, serverPids: server.pids },
      );
    } finally {
      await server.stop();
      running.delete(server);
    }
  };
  try {
    const port = await freePort();
    const nginx = await startNginx({
      dir: path.join(work, 'nginx'),
      port,
      core: cores.server,
      tlsCertPem: `${material.tlsCertPem}${material.tlsCaPem}`,
      tlsKeyPem: material.tlsKeyPem,
      clientCaPem: `${material.issuingPem}${material.rootPem}`,
    });
    await run('nginx', nginx, port);
  } catch (error) {
    report.notes.push(`nginx baseline failed: ${String((error as Error).message).slice(0, 300)}`);
    log(`nginx baseline failed: ${String(error)}`);
  }
  const port = await freePort();
  const bare = await startNodeServer(
    path.join(BENCH_DIR, 'servers', 'bare-https.ts'),
    { materialFile, host: '127.0.0.1', ports: { oidc: 0, certificate: port } },
    { core: cores.server, settingsFile: path.join(work, 'settings-bare-https.json') },
  );
  await run('bareNode', bare, port);
}

/** Live sessions in Redis vs the IdP's memory: the same load before and after seeding. */
async function sessionsRun(materialFile: string, material: BenchMaterial): Promise<BenchReport['sessions']> {
  const settings = redisSettings();
  let before: LoadResult | undefined;
  let seededRssBefore = 0;
  let seededRssAfter = 0;
  let after: RunOutcome;
  let third: LoadResult | undefined;
  let seedSeconds = 0;
  const first = await loginRun('sessions: eid-idp, Redis, before seeding', 'eid-idp.ts', materialFile, material, settings, {
    afterLoad: async (server) => {
      seededRssBefore = memoryMiB(server.pids[0]!).rss;
      const store = await openBenchStore('redis', options.redisUrl, settings.redisPrefix);
      const started = Date.now();
      log(`sessions: seeding ${options.sessions} live sessions into Redis`);
      await seedSessions(store, options.sessions);
      seedSeconds = (Date.now() - started) / 1000;
      await store.close();
      seededRssAfter = memoryMiB(server.pids[0]!).rss;
      const http = new BenchHttp(material.tlsCaPem, options.concurrency * 2);
      try {
        const issuer = server.ready.issuer as string;
        const target: LoginTarget = {
          issuer,
          certificateOrigin: server.ready.certificateOrigin as string,
          http,
          rp: await relyingParty(issuer, http),
          forceConsent: true,
        };
        after = {
          name: 'sessions: same IdP, after seeding',
          ...(await runLoad({
            concurrency: options.concurrency,
            seconds: options.seconds,
            warmupSeconds: 0,
            citizens: material.citizens,
            serverPids: server.pids,
            login: (citizen) => eidLogin(target, citizen),
          })).result,
        };
        // A third window on the same IdP: if memory grew in the second, did it keep growing?
        third = (
          await runLoad({
            concurrency: options.concurrency,
            seconds: options.seconds,
            warmupSeconds: 0,
            citizens: material.citizens,
            serverPids: server.pids,
            login: (citizen) => eidLogin(target, citizen),
          })
        ).result;
      } finally {
        await http.close();
      }
    },
  });
  if ('notAvailable' in first) return { notAvailable: first.notAvailable };
  before = first;
  const afterRun = after! as LoadResult;
  const keys = await countKeys(settings.redisPrefix);
  return {
    sessionsSeeded: options.sessions,
    seedSeconds: round(seedSeconds, 1),
    redisKeysWithPrefix: keys,
    rssMiB: {
      afterFirstRun: before.rssMiB.end,
      beforeSeeding: round(seededRssBefore, 1),
      afterSeeding: round(seededRssAfter, 1),
      afterSecondRun: afterRun.rssMiB.end,
      afterThirdRun: third?.rssMiB.end ?? NaN,
    },
    loginsBefore: before.logins,
    loginsAfter: afterRun.logins + (third?.logins ?? 0),
    cpuMsPerLoginBefore: before.cpuMsPerLogin,
    cpuMsPerLoginAfter: afterRun.cpuMsPerLogin,
  };
}

async function countKeys(prefix: string): Promise<number | undefined> {
  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let count = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 5000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key this run wrote (its own unique prefixes only; never FLUSHALL). */
async function cleanRedis(): Promise<void> {
  if (cleanupPrefixes.length === 0) return;
  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (const prefix of cleanupPrefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 5000);
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
    }
  } catch {
    // Redis absent: nothing was written.
  } finally {
    redis.disconnect();
  }
}

function addRatios(): void {
  const cpu = (run: RunOutcome | undefined) => (run && 'cpuMsPerLogin' in run ? run.cpuMsPerLogin : undefined);
  const ratio = (a: number | undefined, b: number | undefined) => (a && b ? round(a / b, 2) : undefined);
  report.ratios = {
    fullLoginMemoryOverBare: ratio(cpu(report.runs.memory), cpu(report.runs.bare)),
    fullLoginRedisOverBare: ratio(cpu(report.runs.redis), cpu(report.runs.bare)),
    routeOverNginx: ratio(report.route.idp?.serverCpuMsPerHandshake, report.route.nginx?.serverCpuMsPerHandshake),
    bareNodeOverNginx: ratio(report.route.bareNode?.serverCpuMsPerHandshake, report.route.nginx?.serverCpuMsPerHandshake),
    pkijsOverNewLeaf: report.validation?.ratios.pkijsOverNewLeaf,
    pkijsOverReturningCard: report.validation?.ratios.pkijsOverReturning,
  };
}

async function shutdown(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
  await cleanRedis();
  rmSync(work, { recursive: true, force: true });
}

try {
  await main();
  await shutdown();
} catch (error) {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  for (const server of running) log(`server stderr: ${server.stderr().slice(-2000)}`);
  await shutdown();
  process.exitCode = 1;
}
