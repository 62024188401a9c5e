import { readFileSync } from 'node:fs';
import type { BenchMaterial } from '../lib/citizens.js';

/**
 * What every benchmark server process receives: its settings as JSON in BENCH_SERVER (a
 * file path), and the cached key material. A server says it is ready with one stdout line
 * `BENCH_READY {json}` the driver waits for.
 */
export interface ServerSettings {
  materialFile: string;
  host: string;
  /** Ports chosen by the driver (cluster workers must agree on them). */
  ports: { oidc: number; certificate: number };
  store?: 'memory' | 'redis';
  redisUrl?: string;
  redisPrefix?: string;
  workers?: number;
  /** Where the IdP's log goes (default /dev/null) and at which level (default info). */
  logFile?: string;
  logLevel?: string;
}

export function readSettings(): { settings: ServerSettings; material: BenchMaterial } {
  const file = process.env.BENCH_SERVER;
  if (!file) throw new Error('BENCH_SERVER (settings file) is not set');
  const settings = JSON.parse(readFileSync(file, 'utf8')) as ServerSettings;
  const material = JSON.parse(readFileSync(settings.materialFile, 'utf8')) as BenchMaterial;
  return { settings, material };
}

export function announceReady(details: Record<string, unknown>): void {
  process.stdout.write(`BENCH_READY ${JSON.stringify({ pid: process.pid, ...details })}\n`);
}

export const BENCH_CLIENT = {
  client_id: 'bench-rp',
  client_secret: 'bench-rp-secret-of-at-least-thirty-two-characters',
  redirect_uri: 'https://rp.bench.test/callback',
} as const;

export const COOKIE_KEYS = ['bench-cookie-key-0123456789abcdef'];

/**
 * Commands from the driver on stdin, one a line: `profile-start` and `profile-stop <file>`
 * record a V8 CPU profile of exactly the measured window (node --cpu-prof would include
 * start-up and the unmeasured phases).
 */
export function acceptControl(): void {
  let session: import('node:inspector').Session | undefined;
  let buffered = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      void handle(line);
    }
  });
  // The driver going away must not keep a server alive.
  process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));

  async function handle(line: string): Promise<void> {
    const inspector = await import('node:inspector');
    const { writeFileSync } = await import('node:fs');
    const post = (method: string, params?: object) =>
      new Promise<unknown>((resolve, reject) =>
        session!.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))),
      );
    if (line === 'profile-start') {
      session = new inspector.Session();
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 500 });
      await post('Profiler.start');
      process.stdout.write('BENCH_PROFILE started\n');
    } else if (line.startsWith('profile-stop ') && session) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(line.slice('profile-stop '.length), JSON.stringify(profile));
      session.disconnect();
      session = undefined;
      process.stdout.write('BENCH_PROFILE stopped\n');
    }
  }
}
