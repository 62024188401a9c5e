import { readFileSync } from 'node:fs';

/**
 * Where the IdP's CPU went, from a V8 .cpuprofile (node --cpu-prof): self time summed by
 * function and by area (eid-idp's own src/ folders, each dependency, Node internals, GC,
 * native TLS/crypto shown by V8 as "(program)").
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Sampled JavaScript-thread CPU per login, microseconds. */
  usPerLogin: number;
  byArea: { area: string; ms: number; share: number; usPerLogin: number }[];
  topFunctions: { name: string; area: string; ms: number; share: number; usPerLogin: number }[];
}

export function summariseProfile(file: string, logins: number, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  // Samples taken while the inspector serialises the profile itself are not the IdP's work.
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const underInspector = (id: number): boolean => {
    for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
      if (nodes.get(current)!.callFrame.url === 'node:inspector') return true;
    }
    return false;
  };
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const areas = new Map<string, number>();
  const functions = new Map<string, { area: string; micros: number }>();
  let total = 0;
  for (const [id, micros] of selfMicros) {
    const frame = nodes.get(id)!.callFrame;
    if (frame.functionName === '(idle)' || underInspector(id)) continue;
    total += micros;
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + micros);
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    const entry = functions.get(name) ?? { area, micros: 0 };
    entry.micros += micros;
    functions.set(name, entry);
  }
  const share = (micros: number) => Math.round((micros / total) * 1000) / 10;
  const perLogin = (micros: number) => Math.round(micros / Math.max(1, logins));
  return {
    file,
    totalMs: Math.round(total / 1000),
    usPerLogin: perLogin(total),
    byArea: [...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)
      .map(([area, micros]) => ({ area, ms: Math.round(micros / 1000), share: share(micros), usPerLogin: perLogin(micros) })),
    topFunctions: [...functions]
      .sort((a, b) => b[1].micros - a[1].micros)
      .slice(0, top)
      .map(([name, entry]) => ({ name, area: entry.area, ms: Math.round(entry.micros / 1000), share: share(entry.micros), usPerLogin: perLogin(entry.micros) })),
  };
}

function areaOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(program)') return 'native (TLS, crypto, V8 outside JS)';
    return `native: ${functionName}`;
  }
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1]!;
  const own = /\/src\/([^/]+)\//.exec(url);
  if (own) return `eid-idp src/${own[1]}`;
  if (url.startsWith('node:')) return `node: ${url.slice(5)}`;
  return shortUrl(url);
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, '$1/');
}
