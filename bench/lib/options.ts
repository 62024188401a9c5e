import { parseArgs } from 'node:util';

/** `npm run bench -- [--smoke] [--seconds N] [--concurrency N] …`: every knob of one run. */
export interface BenchOptions {
  smoke: boolean;
  citizens: number;
  seconds: number;
  warmupSeconds: number;
  concurrency: number;
  handshakes: number;
  validationRounds: number;
  sessions: number;
  redisUrl: string;
  outDir: string | undefined;
  profile: boolean;
  only: string[] | undefined;
  /** The IdP's log level (its log goes to /dev/null); production runs at info. */
  logLevel: string;
  /** Alternating windows of baseline (a) and eid-idp. */
  rounds: number;
}

const USAGE = `npm run bench -- [options]
  --smoke               short run (seconds, not minutes) to check the bench works
  --citizens N          distinct generated citizens (default 200; smoke 12)
  --seconds N           measured seconds per login run (default 20; smoke 1)
  --warmup N            unmeasured seconds before each run (default 3; smoke 1)
  --concurrency N       virtual users (default 8; smoke 4)
  --handshakes N        TLS handshakes per certificate-route run (default 1500; smoke 40)
  --validation-rounds N samples per validation case (default 2000; smoke 100)
  --sessions N          live sessions seeded in Redis for the memory check (default 100000; smoke 1000)
  --redis URL           Redis for the Redis runs (default redis://127.0.0.1:6379)
  --out DIR             where results go (default bench/results; smoke: a temporary directory)
  --profile             also record a CPU profile of the IdP (node --cpu-prof) and summarise it
  --only a,b            run only these parts: validation,bare,memory,route,redis,cluster,sessions
  --rounds N            alternating measured windows of bare oidc-provider and eid-idp, --seconds
                        split between them (default 4; smoke 1): load from others falls on both
  --log-level L         the IdP's log level (default info, as in production; the log goes to /dev/null)`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean', default: false },
      citizens: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      handshakes: { type: 'string' },
      'validation-rounds': { type: 'string' },
      sessions: { type: 'string' },
      redis: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      only: { type: 'string' },
      'log-level': { type: 'string' },
      rounds: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const smoke = values.smoke ?? false;
  const count = (name: string, raw: string | undefined, normal: number, short: number, min = 1) => {
    if (raw === undefined) return smoke ? short : normal;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`--${name} must be a whole number of at least ${min}, got "${raw}"\n\n${USAGE}`);
    }
    return value;
  };
  return {
    smoke,
    citizens: count('citizens', values.citizens, 200, 12, 4),
    seconds: count('seconds', values.seconds, 20, 1),
    warmupSeconds: count('warmup', values.warmup, 3, 1, 0),
    concurrency: count('concurrency', values.concurrency, 8, 4),
    handshakes: count('handshakes', values.handshakes, 1500, 40),
    validationRounds: count('validation-rounds', values['validation-rounds'], 2000, 100),
    sessions: count('sessions', values.sessions, 100_000, 1000, 0),
    redisUrl: values.redis ?? 'redis://127.0.0.1:6379',
    outDir: values.out,
    profile: values.profile ?? false,
    only: values.only?.split(',').map((part) => part.trim()),
    logLevel: values['log-level'] ?? 'info',
    rounds: count('rounds', values.rounds, 4, 1),
  };
}
