import { spawn } from 'node:child_process';
import { requireCommand } from './tools.js';

export interface OpensslRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface OpensslOptions {
  /** Written once the handshake is done (s_client prints its session summary). */
  input?: string;
  /** Standard input is kept open until the output matches this, or the time runs out. */
  until?: RegExp;
  timeoutMs?: number;
}

/**
 * Runs `openssl` bounded in time. s_client quits as soon as its input ends, so the input is
 * written after the handshake and held open until the awaited answer arrives.
 */
export function openssl(args: string[], options: OpensslOptions = {}): Promise<OpensslRun> {
  requireCommand('openssl', 'openssl');
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let wrote = false;
    const finishInput = () => {
      if (!child.stdin.writableEnded) child.stdin.end();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (!wrote && /Verify return code|Verification/.test(stdout) && /\n---\n/.test(stdout)) {
        wrote = true;
        if (options.input) child.stdin.write(options.input);
        if (!options.until) finishInput();
      }
      if (options.until?.test(stdout + stderr)) finishInput();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (options.until?.test(stdout + stderr)) finishInput();
    });
    child.stdin.on('error', () => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
