import { Agent, Client, request, type Dispatcher } from 'undici';

/**
 * A lean scripted browser for the load generator: one cookie jar per login (a new person
 * each time), keep-alive connections to the OIDC origin shared by all virtual users (as a
 * browser keeps its connection), and a NEW TLS connection presenting a client certificate
 * for the certificate step. Deliberately smaller than test/support/browser.ts (tough-cookie
 * costs the load generator CPU it needs): one host, cookies matched by path only.
 */
export interface Answer {
  status: number;
  location: string | undefined;
  body: string;
}

interface Cookie {
  value: string;
  path: string;
}

export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();

  header(pathname: string): string | undefined {
    const parts: string[] = [];
    for (const [name, cookie] of this.#cookies) {
      if (pathname === cookie.path || pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`) || cookie.path === '/') {
        parts.push(`${name}=${cookie.value}`);
      }
    }
    return parts.length > 0 ? parts.join('; ') : undefined;
  }

  store(setCookie: string | string[] | undefined): void {
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair, ...attributes] = line.split(';');
      const equals = pair!.indexOf('=');
      const name = pair!.slice(0, equals).trim();
      const value = pair!.slice(equals + 1).trim();
      let path = '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key, raw = ''] = attribute.trim().split('=');
        const lower = key!.toLowerCase();
        if (lower === 'path') path = raw;
        else if (lower === 'expires' && Date.parse(raw) <= Date.now()) expired = true;
        else if (lower === 'max-age' && Number(raw) <= 0) expired = true;
      }
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path });
    }
  }
}

export class BenchHttp {
  readonly #caPem: string;
  readonly agent: Agent;

  constructor(caPem: string, connections: number) {
    this.#caPem = caPem;
    this.agent = new Agent({ connect: { ca: caPem, servername: 'localhost' }, connections, pipelining: 1 });
  }

  async send(
    jar: CookieJar,
    url: string,
    options: { method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string> } = {},
    dispatcher: Dispatcher = this.agent,
  ): Promise<Answer> {
    const target = new URL(url);
    const cookie = jar.header(target.pathname);
    const response = await request(url, {
      method: options.method ?? 'GET',
      dispatcher,
      body: options.body,
      headers: {
        ...(cookie ? { cookie } : {}),
        'accept-language': 'en',
        ...(options.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...options.headers,
      },
    });
    jar.store(response.headers['set-cookie']);
    const body = await response.body.text();
    const location = response.headers.location;
    return {
      status: response.statusCode,
      location: typeof location === 'string' ? new URL(location, url).href : undefined,
      body,
    };
  }

  /** One request on a new TLS connection presenting `card`; the connection is then closed. */
  async sendWithCertificate(
    jar: CookieJar,
    url: string,
    card: { cert: string; key: string },
    options: { method?: 'GET' | 'POST'; body?: string } = {},
  ): Promise<Answer> {
    const client = new Client(new URL(url).origin, {
      connect: { ca: this.#caPem, cert: card.cert, key: card.key, servername: 'localhost' },
      pipelining: 0,
    });
    try {
      return await this.send(jar, url, options, client);
    } finally {
      await client.close();
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
