import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Reading what the operating system says a process spent, and starting pinned processes. */

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** User + system CPU seconds of one process so far (/proc/<pid>/stat, fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident set size now and its peak (VmRSS, VmHWM), in MiB. */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

export function totalCpu(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Cores to pin to: the load generator on the first, servers on the others (when there are others). */
export function corePlan(): { client: string; server: string; pinned: boolean } {
  const cores = os.cpus().length;
  if (cores < 2) return { client: '0', server: '0', pinned: false };
  return { client: '0', server: `1-${cores - 1}`, pinned: true };
}

export function pinSelf(core: string): void {
  try {
    execFileSync('taskset', ['-cp', core, String(process.pid)], { stdio: 'ignore' });
  } catch {
    // LIMITATION: without taskset (util-linux) client and servers share cores; the report says so.
  }
}

export interface StartedServer {
  child: ChildProcess;
  ready: Record<string, unknown> & { pid: number };
  /** Every process whose CPU counts as the server's (cluster primary and workers). */
  pids: number[];
  stderr(): string;
  /** Sends a control line (see servers/common.ts) and waits for the stdout line `answer`. */
  command?(line: string, answer: string): Promise<void>;
  stop(): Promise<void>;
}

const ROOT = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** Starts a bench server script pinned to `core`, waits for its BENCH_READY line. */
export async function startNodeServer(
  script: string,
  settings: Record<string, unknown>,
  options: { core: string; settingsFile: string; nodeArgs?: string[]; timeoutMs?: number },
): Promise<StartedServer> {
  writeFileSync(options.settingsFile, JSON.stringify(settings));
  const child = spawn(
    'taskset',
    ['-c', options.core, process.execPath, '--import', 'tsx', ...(options.nodeArgs ?? []), script],
    {
      cwd: ROOT,
      env: { ...process.env, BENCH_SERVER: options.settingsFile, NODE_ENV: 'production' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let errors = '';
  child.stderr!.on('data', (chunk) => {
    errors = (errors + String(chunk)).slice(-8000);
  });
  const ready = await new Promise<StartedServer['ready']>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${script} not ready in time: ${errors}`)), options.timeoutMs ?? 30_000);
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      const line = /BENCH_READY (.*)\n/.exec(out);
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line[1]!));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}: ${errors}`));
    });
  });
  let lines = '';
  const waiting: { answer: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (chunk) => {
    lines += String(chunk);
    for (const entry of [...waiting]) {
      if (lines.includes(entry.answer)) {
        lines = lines.slice(lines.indexOf(entry.answer) + entry.answer.length);
        waiting.splice(waiting.indexOf(entry), 1);
        entry.resolve();
      }
    }
  });
  const workers = (ready.workers as number[] | undefined) ?? [];
  return {
    child,
    ready,
    pids: [ready.pid, ...workers],
    stderr: () => errors,
    command: (line, answer) =>
      new Promise<void>((resolve) => {
        waiting.push({ answer, resolve });
        child.stdin!.write(`${line}\n`);
      }),
    stop: () => stopChild(child),
  };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function machine() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    totalMemoryMiB: Math.round(os.totalmem() / 1024 / 1024),
    loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
    opensslVersion: process.versions.openssl,
  };
}
