import { Agent, errors, request, type Dispatcher } from 'undici';

/**
 * HTTP for revocation: OCSP POSTs and CRL downloads, bounded in connect time, read time and
 * size. A responder that hangs or streams forever must cost one login a bounded wait, never
 * a stuck worker or unbounded memory.
 */

export interface HttpLimits {
  /** TCP (and TLS) connection establishment. */
  connectTimeoutMs: number;
  /** Waiting for the response headers, and for each chunk of the body. */
  readTimeoutMs: number;
  /** Largest body accepted; a longer one is cut off and refused. */
  maxBytes: number;
  /** Whole exchange, connect to last byte. */
  totalTimeoutMs: number;
}

export type FetchFailure = 'timeout' | 'http_status' | 'too_large' | 'network' | 'bad_url';

export class RevocationFetchError extends Error {
  readonly failure: FetchFailure;

  constructor(failure: FetchFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RevocationFetchError';
    this.failure = failure;
  }
}

export interface HttpExchange {
  method: 'GET' | 'POST';
  body?: Uint8Array;
  contentType?: string;
  accept: string;
}

/** One keep-alive connection pool per set of limits (responders are few and reused). */
export function revocationAgent(limits: HttpLimits): Dispatcher {
  return new Agent({
    connect: { timeout: limits.connectTimeoutMs },
    headersTimeout: limits.readTimeoutMs,
    bodyTimeout: limits.readTimeoutMs,
    keepAliveTimeout: 30_000,
  });
}

/** Performs one bounded exchange and returns the body. */
export async function fetchBounded(
  url: string,
  exchange: HttpExchange,
  limits: HttpLimits,
  dispatcher: Dispatcher,
): Promise<Uint8Array> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RevocationFetchError('bad_url', `not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RevocationFetchError('bad_url', `only http and https are fetched: ${url}`);
  }
  const headers: Record<string, string> = { accept: exchange.accept };
  if (exchange.contentType) headers['content-type'] = exchange.contentType;
  const signal = AbortSignal.timeout(limits.totalTimeoutMs);
  try {
    const response = await request(parsed, {
      method: exchange.method,
      body: exchange.body ? Buffer.from(exchange.body) : undefined,
      headers,
      dispatcher,
      signal,
      headersTimeout: limits.readTimeoutMs,
      bodyTimeout: limits.readTimeoutMs,
    });
    if (response.statusCode !== 200) {
      response.body.resume();
      throw new RevocationFetchError('http_status', `${url} answered HTTP ${response.statusCode}`);
    }
    const declared = Number(response.headers['content-length'] ?? Number.NaN);
    if (declared > limits.maxBytes) {
      response.body.destroy();
      throw new RevocationFetchError('too_large', `${url} declares ${declared} bytes`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      total += buffer.length;
      if (total > limits.maxBytes) {
        response.body.destroy();
        throw new RevocationFetchError('too_large', `${url} sent more than ${limits.maxBytes} bytes`);
      }
      chunks.push(buffer);
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    throw classify(url, error);
  }
}

function classify(url: string, error: unknown): RevocationFetchError {
  if (error instanceof RevocationFetchError) return error;
  const name = (error as Error | undefined)?.name;
  const timedOut =
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError ||
    name === 'TimeoutError' ||
    name === 'AbortError';
  if (timedOut) return new RevocationFetchError('timeout', `${url} did not answer in time`, { cause: error });
  return new RevocationFetchError('network', `${url}: ${(error as Error).message}`, { cause: error });
}
