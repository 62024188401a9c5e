import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A layer-4 load balancer reduced to a switch: every new connection goes to the backend
 * currently selected, TLS passes through untouched (so mutual TLS still reaches the IdP).
 * `route()` also closes the connections already open, so a keep-alive client cannot keep
 * talking to the previous backend: the next request really lands on the chosen one.
 */
export class TcpSwitch {
  readonly port: number;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #target: number;

  private constructor(server: Server, port: number, target: number) {
    this.#server = server;
    this.port = port;
    this.#target = target;
  }

  static async start(initialTargetPort: number): Promise<TcpSwitch> {
    let instance: TcpSwitch | undefined;
    const server = createServer((client) => instance!.#forward(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    instance = new TcpSwitch(server, port, initialTargetPort);
    return instance;
  }

  /**
   * Sends new connections to `targetPort` and drops the open ones. Resolves a moment later,
   * once clients in this process have seen their connections close (so that they open new
   * ones rather than write into a closing one).
   */
  async route(targetPort: number): Promise<void> {
    this.#target = targetPort;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #forward(client: Socket): void {
    const backend = connect(this.#target, '127.0.0.1');
    this.#sockets.add(client);
    this.#sockets.add(backend);
    const drop = () => {
      client.destroy();
      backend.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(backend);
    };
    client.on('error', drop).on('close', drop);
    backend.on('error', drop).on('close', drop);
    client.pipe(backend);
    backend.pipe(client);
  }
}
