import { performance } from 'node:perf_hooks';
import type { CitizenCredential } from './citizens.js';
import { memoryMiB, totalCpu } from './proc.js';
import { distribution, round, type Distribution } from './stats.js';

/**
 * Closed-loop load: `concurrency` virtual users each run one login after another, citizen
 * after citizen (round robin over all generated citizens), for `warmupSeconds` unmeasured
 * and then `seconds` measured. CPU is the server processes' user+system time over the
 * measured window, read from /proc, divided by the logins completed in it.
 */
export interface LoadOptions {
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
  citizens: CitizenCredential[];
  serverPids: number[];
  login: (citizen: CitizenCredential) => Promise<{ total: number; steps: Record<string, number> }>;
  /** Called when the measured window opens and closes (CPU profiling). */
  window?: { open(): Promise<void>; close(): Promise<void> };
}

export interface LoadResult {
  logins: number;
  errors: number;
  firstError?: string;
  /** Failed logins during warm-up (not counted above), with the first reason. */
  warmupErrors: number;
  firstWarmupError?: string;
  seconds: number;
  loginsPerSecond: number;
  /** Server CPU milliseconds per login, all server processes together. */
  cpuMsPerLogin: number;
  /** Per process (cluster primary first), CPU milliseconds per login. */
  cpuMsPerLoginByProcess: number[];
  /** Server CPU use over the window, in cores (1.0 = one core busy). */
  serverCores: number;
  total: Distribution;
  steps: Record<string, Distribution>;
  rssMiB: { start: number; end: number; peak: number };
  /** How many measured windows were merged into this result (interleaved runs). */
  windows: number;
}

/** What merging windows needs; dropped from the written report. */
export interface RawLoad {
  totals: number[];
  steps: Record<string, number[]>;
  cpuSecondsByProcess: number[];
  elapsedSeconds: number;
}

let nextCitizen = 0;

export async function runLoad(options: LoadOptions): Promise<{ result: LoadResult; raw: RawLoad }> {
  let measuring = false;
  let stopping = false;
  let logins = 0;
  let errors = 0;
  let warmupErrors = 0;
  let firstError: string | undefined;
  let firstWarmupError: string | undefined;
  const totals: number[] = [];
  const steps: Record<string, number[]> = {};

  const user = async () => {
    while (!stopping) {
      const citizen = options.citizens[nextCitizen++ % options.citizens.length]!;
      try {
        const result = await options.login(citizen);
        if (measuring && !stopping) {
          logins += 1;
          totals.push(result.total);
          for (const [step, ms] of Object.entries(result.steps)) (steps[step] ??= []).push(ms);
        }
      } catch (error) {
        const reason = String((error as Error).message ?? error).slice(0, 300);
        if (measuring) {
          errors += 1;
          firstError ??= reason;
        } else {
          warmupErrors += 1;
          firstWarmupError ??= reason;
        }
        if (errors > 20 && errors > logins) stopping = true; // broken, not slow: stop early
      }
    }
  };
  const users = Array.from({ length: options.concurrency }, user);

  await sleep(options.warmupSeconds * 1000);
  await options.window?.open();
  const rssStart = sumRss(options.serverPids);
  const cpuStart = options.serverPids.map((pid) => totalCpu([pid]));
  const started = performance.now();
  measuring = true;
  await sleep(options.seconds * 1000);
  const cpuEnd = options.serverPids.map((pid) => totalCpu([pid]));
  const elapsed = (performance.now() - started) / 1000;
  const rssEnd = sumRss(options.serverPids);
  const peak = options.serverPids.reduce((sum, pid) => sum + memoryMiB(pid).peak, 0);
  stopping = true;
  await Promise.all(users);
  await options.window?.close();

  const raw: RawLoad = {
    totals,
    steps,
    cpuSecondsByProcess: cpuEnd.map((end, i) => end - cpuStart[i]!),
    elapsedSeconds: elapsed,
  };
  const result = summarise([raw], {
    logins,
    errors,
    warmupErrors,
    firstError,
    firstWarmupError,
    rssMiB: { start: round(rssStart, 1), end: round(rssEnd, 1), peak: round(peak, 1) },
  });
  return { result, raw };
}

/** One result from several measured windows of the same server (interleaved runs). */
export function mergeLoads(parts: { result: LoadResult; raw: RawLoad }[]): LoadResult {
  const first = parts[0]!.result;
  const last = parts.at(-1)!.result;
  const sum = (pick: (result: LoadResult) => number) => parts.reduce((total, part) => total + pick(part.result), 0);
  return summarise(
    parts.map((part) => part.raw),
    {
      logins: sum((result) => result.logins),
      errors: sum((result) => result.errors),
      warmupErrors: sum((result) => result.warmupErrors),
      firstError: parts.find((part) => part.result.firstError)?.result.firstError,
      firstWarmupError: parts.find((part) => part.result.firstWarmupError)?.result.firstWarmupError,
      rssMiB: { start: first.rssMiB.start, end: last.rssMiB.end, peak: Math.max(...parts.map((part) => part.result.rssMiB.peak)) },
    },
  );
}

function summarise(
  raws: RawLoad[],
  counts: Pick<LoadResult, 'logins' | 'errors' | 'warmupErrors' | 'firstError' | 'firstWarmupError' | 'rssMiB'>,
): LoadResult {
  const logins = Math.max(1, counts.logins);
  const elapsed = raws.reduce((total, raw) => total + raw.elapsedSeconds, 0);
  const cpuByProcess = raws[0]!.cpuSecondsByProcess.map((_, i) => raws.reduce((total, raw) => total + (raw.cpuSecondsByProcess[i] ?? 0), 0));
  const cpu = cpuByProcess.reduce((a, b) => a + b, 0);
  const steps: Record<string, number[]> = {};
  for (const raw of raws) for (const [step, samples] of Object.entries(raw.steps)) (steps[step] ??= []).push(...samples);
  return {
    logins: counts.logins,
    errors: counts.errors,
    ...(counts.firstError ? { firstError: counts.firstError } : {}),
    warmupErrors: counts.warmupErrors,
    ...(counts.firstWarmupError ? { firstWarmupError: counts.firstWarmupError } : {}),
    seconds: round(elapsed, 1),
    loginsPerSecond: round(counts.logins / elapsed, 1),
    cpuMsPerLogin: round((cpu * 1000) / logins, 2),
    cpuMsPerLoginByProcess: cpuByProcess.map((seconds) => round((seconds * 1000) / logins, 2)),
    serverCores: round(cpu / elapsed, 2),
    total: distribution(raws.flatMap((raw) => raw.totals)),
    steps: Object.fromEntries(Object.entries(steps).map(([step, samples]) => [step, distribution(samples)])),
    rssMiB: counts.rssMiB,
    windows: raws.length,
  };
}

function sumRss(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + memoryMiB(pid).rss, 0);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
