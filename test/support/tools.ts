import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';

/**
 * Fails (never skips) when a command the tests need is missing, naming the Debian package
 * and the setup script that installs it.
 */
export function requireCommand(command: string, debianPackage: string): string {
  let found = '';
  try {
    found = execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
  } catch {
    found = '';
  }
  assert.ok(
    found !== '',
    `the command "${command}" is missing: install the Debian package "${debianPackage}" ` +
      '(scripts/setup-test-machine.sh installs everything the tests need)',
  );
  return found;
}
