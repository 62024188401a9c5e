import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireCommand } from './tools.js';

/**
 * A private redis-server for tests that must stop Redis or need a topology of their own
 * (Cluster): its own port on loopback, its own temporary directory, no persistence. Never
 * the shared Redis on 6379, which other people's tests are using.
 */
export interface RedisTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export class PrivateRedisServer {
  readonly port: number;
  readonly dir: string;
  readonly #extraArgs: string[];
  readonly #tls: RedisTlsFiles | undefined;
  #process: ChildProcess | undefined;

  private constructor(port: number, dir: string, extraArgs: string[], tls?: RedisTlsFiles) {
    this.port = port;
    this.dir = dir;
    this.#extraArgs = extraArgs;
    this.#tls = tls;
  }

  /**
   * Starts a server on a free port; `extraArgs` are redis-server options
   * (`--cluster-enabled yes`). With `tls`, the port speaks only TLS (clients need no certificate).
   */
  static async start(
    extraArgs: string[] = [],
    options: { tls?: RedisTlsFiles } = {},
  ): Promise<PrivateRedisServer> {
    requireCommand('redis-server', 'redis-server');
    const dir = mkdtempSync(path.join(tmpdir(), 'eid-idp-redis-'));
    const server = new PrivateRedisServer(await freePort(), dir, extraArgs, options.tls);
    await server.start();
    return server;
  }

  get url(): string {
    return `${this.#tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#process !== undefined;
  }

  /** Starts (again) on the same port: what a Redis coming back after an outage looks like. */
  async start(): Promise<void> {
    if (this.#process) return;
    // A configuration file, when given, must come first on redis-server's command line.
    const configFile = this.#extraArgs[0]?.startsWith('--') === false ? [this.#extraArgs[0]] : [];
    const options = this.#extraArgs.slice(configFile.length);
    const child = spawn(
      'redis-server',
      [
        ...configFile,
        ...(this.#tls
          ? [
              '--port', '0',
              '--tls-port', String(this.port),
              '--tls-cert-file', this.#tls.certFile,
              '--tls-key-file', this.#tls.keyFile,
              '--tls-ca-cert-file', this.#tls.caFile,
              '--tls-auth-clients', 'no',
            ]
          : ['--port', String(this.port)]),
        '--bind', '127.0.0.1',
        '--dir', this.dir,
        '--save', '',
        '--appendonly', 'no',
        '--logfile', path.join(this.dir, 'redis.log'),
        ...options,
      ],
      { stdio: 'ignore' },
    );
    this.#process = child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`))),
    );
    await Promise.race([waitUntilListening(this.port), exited]);
  }

  /** Stops the server abruptly (SIGKILL): the outage case, no goodbye to clients. */
  async stop(): Promise<void> {
    const child = this.#process;
    if (!child) return;
    this.#process = undefined;
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /**
   * Freezes the server (SIGSTOP): connections stay open but nothing answers, as in a network
   * partition. Only command timeouts get a client out of this.
   */
  pause(): void {
    this.#process?.kill('SIGSTOP');
  }

  resume(): void {
    this.#process?.kill('SIGCONT');
  }

  /** Stops the server and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilListening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not start listening on port ${port}`);
}

/** Three private masters joined into a Redis Cluster (no replicas) with redis-cli. */
export async function startRedisCluster(): Promise<{
  nodes: string[];
  destroy(): Promise<void>;
}> {
  requireCommand('redis-cli', 'redis-tools');
  const servers: PrivateRedisServer[] = [];
  try {
    for (let i = 0; i < 3; i += 1) {
      servers.push(
        await PrivateRedisServer.start([
          '--cluster-enabled', 'yes',
          '--cluster-config-file', 'nodes.conf',
          '--cluster-node-timeout', '5000',
        ]),
      );
    }
    const nodes = servers.map((server) => `127.0.0.1:${server.port}`);
    await runCommand('redis-cli', [
      '--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes',
    ]);
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const port = String(servers[0]!.port);
      const info = await runCommand('redis-cli', ['-p', port, 'cluster', 'info']);
      if (info.includes('cluster_state:ok')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      nodes,
      destroy: async () => {
        for (const server of servers) await server.destroy();
      },
    };
  } catch (error) {
    for (const server of servers) await server.destroy();
    throw error;
  }
}

/**
 * A private master and one Sentinel watching it under `masterName`; with `replica`, also a
 * replica that the Sentinel promotes when the master stops answering for `downAfterMs`.
 */
export async function startRedisSentinel(
  masterName = 'eid-master',
  options: { replica?: boolean; downAfterMs?: number } = {},
): Promise<{
  masterName: string;
  sentinels: string[];
  master: PrivateRedisServer;
  replica: PrivateRedisServer | undefined;
  destroy(): Promise<void>;
}> {
  const started: PrivateRedisServer[] = [];
  const destroyAll = async () => {
    for (const server of started.reverse()) await server.destroy();
  };
  try {
    const master = await PrivateRedisServer.start();
    started.push(master);
    const replica = options.replica
      ? await PrivateRedisServer.start(['--replicaof', '127.0.0.1', String(master.port)])
      : undefined;
    if (replica) {
      started.push(replica);
      // The Sentinel learns of replicas from the master's INFO: let the replica attach first.
      await until(async () => {
        const info = await runCommand('redis-cli', ['-p', String(master.port), 'info', 'replication']);
        return /connected_slaves:1/.test(info) && /state=online/.test(info);
      }, 'the replica to attach to the master');
    }
    // Sentinel rewrites its configuration file, so it gets one of its own in the master's dir.
    const configFile = path.join(master.dir, 'sentinel.conf');
    writeFileSync(
      configFile,
      [
        `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
        `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 5000}`,
        `sentinel failover-timeout ${masterName} 10000`,
        '',
      ].join('\n'),
    );
    const sentinel = await PrivateRedisServer.start([configFile, '--sentinel']);
    started.push(sentinel);
    if (replica) {
      await until(async () => {
        const known = await runCommand('redis-cli', [
          '-p', String(sentinel.port), 'sentinel', 'replicas', masterName,
        ]);
        return known.includes(String(replica.port));
      }, 'the Sentinel to know the replica');
    }
    return {
      masterName,
      sentinels: [`127.0.0.1:${sentinel.port}`],
      master,
      replica,
      destroy: destroyAll,
    };
  } catch (error) {
    await destroyAll();
    throw error;
  }
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

function runCommand(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}
