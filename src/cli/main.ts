import { ConfigError } from '../errors.js';
import { startCommand } from './start.js';

const USAGE = `Usage: eid-idp <command>

Commands:
  start      start the identity provider (default)
  help       show this text

Configuration: EID_IDP_CONFIG=<server.yaml> and EID_IDP_* variables (see README).`;

async function main(argv: string[]): Promise<void> {
  const [command = 'start'] = argv;
  switch (command) {
    case 'start':
      await startCommand();
      return;
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
