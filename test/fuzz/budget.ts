/**
 * How hard the property-based fuzz tests try. The normal run (`npm test`, CI) stays short:
 * FUZZ_RUNS defaults to 200 runs per property. `npm run fuzz` sets FUZZ_RUNS=20000; any
 * value can be given, e.g. `FUZZ_RUNS=100000 npm run fuzz`. FUZZ_SEED replays a failure.
 */
export const FUZZ_RUNS = positiveInteger(process.env.FUZZ_RUNS) ?? 200;
const seed = integer(process.env.FUZZ_SEED);

export function fuzzParameters(
  runsShare = 1,
): { numRuns: number; seed?: number; includeErrorInReport: boolean } {
  const numRuns = Math.max(10, Math.round(FUZZ_RUNS * runsShare));
  // The failing input's error (with its stack) goes into the report the test runner prints.
  const base = { numRuns, includeErrorInReport: true };
  return seed === undefined ? base : { ...base, seed };
}

function positiveInteger(value: string | undefined): number | undefined {
  const parsed = integer(value);
  return parsed !== undefined && parsed > 0 ? parsed : undefined;
}

function integer(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  return Number.isInteger(parsed) ? parsed : undefined;
}
