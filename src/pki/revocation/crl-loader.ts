import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CrlIndex } from './crl-index.js';
import { SerialTable } from './serial-table.js';
import type { CrlWorkerInput, CrlWorkerMessage } from './crl-worker.js';

/**
 * Parses a downloaded CRL in a worker thread (see crl-worker.ts for why), which hands back
 * the header and the index of revoked serials.
 */

export interface CrlLoadOptions {
  /** DER SubjectPublicKeyInfo of each key that may have signed it, in preference order. */
  signerSpkis: Uint8Array[];
  /** Heap limit of the parsing worker, MB: a CRL that needs more is refused. */
  workerHeapMb: number;
  /** For logs. */
  source: string;
  /**
   * The caller gives `der` away: when it is the whole of its buffer, that buffer is moved to
   * the worker instead of copied (tens of MB copied on the main thread is a pause).
   */
  transfer?: boolean;
}

export interface LoadedCrl {
  index: CrlIndex;
  /** Index into `signerSpkis` of the key that verified the CRL, or -1. */
  signerIndex: number;
}

const here = fileURLToPath(import.meta.url);
const extension = path.extname(here);
const workerUrl = new URL(`./crl-worker${extension}`, import.meta.url);

/**
 * The worker to start. Compiled (dist/), the .js file itself. Under tsx (development, tests)
 * the worker is a .ts file that Node 20 cannot load on its own, even with `--import tsx` in
 * execArgv (the hooks arrive after the entry is resolved): a two-line bootstrap registers
 * tsx inside the worker first, then imports the entry.
 */
function workerSource(): { source: string | URL; eval: boolean } {
  if (extension !== '.ts') return { source: workerUrl, eval: false };
  const tsx = import.meta.resolve('tsx/esm/api');
  const source =
    `import(${JSON.stringify(tsx)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); })`;
  return { source, eval: true };
}

export function loadCrlInWorker(der: Uint8Array, options: CrlLoadOptions): Promise<LoadedCrl> {
  const ownsWholeBuffer =
    der.byteOffset === 0 && der.byteLength === der.buffer.byteLength && !(der.buffer instanceof SharedArrayBuffer);
  // Otherwise a private copy, whose buffer can be moved without detaching the caller's.
  const copy = options.transfer === true && ownsWholeBuffer ? der : new Uint8Array(der);
  const input: CrlWorkerInput = { der: copy, signerSpkis: options.signerSpkis };
  return new Promise((resolve, reject) => {
    const entry = workerSource();
    const worker = new Worker(entry.source, {
      eval: entry.eval,
      workerData: input,
      transferList: [copy.buffer as ArrayBuffer],
      resourceLimits: { maxOldGenerationSizeMb: options.workerHeapMb },
    });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      outcome();
    };
    worker.on('message', (message: CrlWorkerMessage) => {
      if (message.type === 'done') {
        const index = new CrlIndex(message.header, new SerialTable(message.table), options.source);
        finish(() => resolve({ index, signerIndex: message.header.signerIndex }));
      } else {
        finish(() => reject(new Error(`CRL from ${options.source} refused: ${message.message}`)));
      }
    });
    worker.on('error', (error) =>
      finish(() => reject(new Error(`CRL worker for ${options.source} failed: ${error.message}`))),
    );
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`CRL worker for ${options.source} exited with ${code}`))),
    );
  });
}
