import { parentPort, workerData } from 'node:worker_threads';
import { parseCrl, type CrlHeader } from './crl-parse.js';
import { SerialTable, SerialTableBuilder, type SerialTableData } from './serial-table.js';

/**
 * Worker entry: parses one CRL off the main thread. Why a worker: a national CRL can be tens
 * of megabytes (a million entries); parsing one takes seconds of CPU, which on the main thread
 * would stall every TLS handshake and login meanwhile. The worker also runs with its own heap
 * limit (resourceLimits), so a hostile or huge CRL kills the worker, not the server.
 *
 * The index (serial-table.ts) is built here too, in typed arrays that are transferred to the
 * main thread at the end: the main thread does no per-entry work at all.
 */

export interface CrlWorkerInput {
  der: Uint8Array;
  signerSpkis: Uint8Array[];
}

export type CrlWorkerMessage =
  | { type: 'done'; header: CrlHeader; table: SerialTableData }
  | { type: 'error'; message: string };

const port = parentPort;
if (port) {
  const input = workerData as CrlWorkerInput;
  try {
    const builder = new SerialTableBuilder();
    const header = parseCrl(input.der, {
      signerSpkis: input.signerSpkis,
      onEntry: (serial, reason) => builder.add(serial, reason),
    });
    const table = builder.build();
    port.postMessage({ type: 'done', header, table } satisfies CrlWorkerMessage, SerialTable.buffers(table));
  } catch (error) {
    port.postMessage({ type: 'error', message: (error as Error).message } satisfies CrlWorkerMessage);
  }
}
