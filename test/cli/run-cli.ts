import { execFile } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../support/paths.js';

/** Result of one run of the real `eid-idp` command. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `bin/eid-idp.js <args>` as a separate process, the way an administrator runs it.
 * Asynchronous, so that servers the test started in this process keep answering.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO_ROOT): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'bin', 'eid-idp.js'), ...args],
      { cwd, env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
