import { CookieJar } from 'tough-cookie';
import { Agent, request, type Dispatcher } from 'undici';

/**
 * A scripted browser for protocol tests: a cookie jar shared by both origins (cookies
 * ignore ports, as in a real browser), manual redirects so each step can be asserted, and
 * a client certificate presented on a fresh TLS connection when asked.
 */
export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  url: string;
  location: string | undefined;
}

export interface ClientCertificate {
  cert: string;
  key: string;
  /** Extra options for the TLS handshake (maxVersion, sigalgs…). */
  tls?: Record<string, unknown>;
}

export class TestBrowser {
  readonly jar = new CookieJar();
  readonly #ca: string;
  readonly #agent: Agent;

  constructor(options: { caPem: string }) {
    this.#ca = options.caPem;
    this.#agent = new Agent({ connect: { ca: this.#ca } });
  }

  /** One request, no redirect followed. `clientCertificate` forces a new TLS connection. */
  async fetch(
    url: string,
    options: {
      method?: 'GET' | 'POST';
      body?: string;
      /** A card to present on a new connection; `null`: a new connection without one. */
      clientCertificate?: ClientCertificate | null;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Response> {
    const cookie = await this.jar.getCookieString(url);
    let dispatcher: Dispatcher = this.#agent;
    let oneShot: Agent | undefined;
    if (options.clientCertificate !== undefined) {
      const card = options.clientCertificate;
      oneShot = new Agent({
        connect: {
          ca: this.#ca,
          ...(card ? { cert: card.cert, key: card.key, ...card.tls } : {}),
        },
        pipelining: 0,
      });
      dispatcher = oneShot;
    }
    try {
      const response = await request(url, {
        method: options.method ?? 'GET',
        dispatcher,
        body: options.body,
        headers: {
          ...(cookie ? { cookie } : {}),
          'accept-language': 'en',
          ...(options.body !== undefined
            ? { 'content-type': 'application/x-www-form-urlencoded' }
            : {}),
          ...options.headers,
        },
      });
      const setCookie = response.headers['set-cookie'];
      for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
        await this.jar.setCookie(line, url);
      }
      const body = await response.body.text();
      const location = response.headers.location;
      return {
        status: response.statusCode,
        headers: response.headers,
        body,
        url,
        location: typeof location === 'string' ? new URL(location, url).href : undefined,
      };
    } finally {
      await oneShot?.close();
    }
  }

  /** Follows redirects within `stayOn` origins; stops at the first response elsewhere. */
  async follow(
    url: string,
    options: { stayOn: string[]; method?: 'GET' | 'POST'; maxHops?: number } = { stayOn: [] },
  ): Promise<Response[]> {
    const hops: Response[] = [];
    let next: string | undefined = url;
    let method = options.method ?? 'GET';
    for (let i = 0; next && i < (options.maxHops ?? 10); i += 1) {
      const response = await this.fetch(next, { method, body: method === 'POST' ? '' : undefined });
      hops.push(response);
      method = 'GET';
      next = response.location;
      if (!next || !options.stayOn.includes(new URL(next).origin)) break;
    }
    return hops;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
