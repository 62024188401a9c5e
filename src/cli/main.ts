import { ConfigError } from '../errors.js';
import { startCommand } from './start.js';

const USAGE = `Usage: eid-idp <command>

Commands:
  start      start the identity provider (default)
  inspect    explain the decision on one certificate:
             eid-idp inspect <file.pem|.der|.p12> [--at <time>] [--offline] [--password <p>] [--json]
  fetch-anchors  download the national trust anchors of ca-bundle/manifest.yaml, verified
  keys       rotate the ID-token signing keys: eid-idp keys list|add|promote|retire
  help       show this text

Configuration: EID_IDP_CONFIG=<server.yaml> and EID_IDP_* variables (see README).`;

async function main(argv: string[]): Promise<void> {
  const [command = 'start'] = argv;
  switch (command) {
    case 'start':
      await startCommand();
      return;
    case 'inspect': {
      const { inspectCommand } = await import('./inspect.js');
      process.exitCode = await inspectCommand(argv.slice(1));
      return;
    }
    case 'fetch-anchors': {
      const { fetchAnchorsCommand } = await import('./fetch-anchors.js');
      process.exitCode = await fetchAnchorsCommand(argv.slice(1));
      return;
    }
    case 'keys': {
      const { keysCommand } = await import('./keys.js');
      process.exitCode = await keysCommand(argv.slice(1));
      return;
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}\n`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exitCode = 78; // EX_CONFIG
    return;
  }
  process.stderr.write(`eid-idp failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
