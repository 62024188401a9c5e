import type { ClientMetadata } from 'oidc-provider';
import type { MappingRegistry } from '../identity/mapping-registry.js';
import { builtInProfiles } from '../identity/profiles/index.js';

/** What the admin page and GET /admin/api/{profiles,mapping} show: plain JSON-able data. */

export interface ProfileView {
  id: string;
  label: string;
  country: string | null;
  acr: string;
  amr: string[];
  /** built-in; built-in changed by the mapping file; added by the mapping file. */
  source: 'built-in' | 'overridden' | 'mapping-file';
}

export interface MappingView {
  /** The mapping file in force; null: built-in profiles only, no file configured. */
  file: string | null;
  loaded_at: string;
  /** The last edit that was refused (the mapping above stayed in force). */
  last_refused: { at: string; error: string } | null;
  /** Per configured client: the claims it may receive, or null when not restricted. */
  clients: { client_id: string; client_name: string | null; claims: string[] | null }[];
  /** Rules for clients that are not configured (a typo in the file shows up here). */
  unknown_clients: string[];
}

/** Active profiles in matching order. */
export function profileViews(mapping: MappingRegistry): ProfileView[] {
  const builtIn = new Set(builtInProfiles);
  const builtInIds = new Set(builtInProfiles.map((profile) => profile.id));
  return mapping.current.profiles.map((profile) => ({
    id: profile.id,
    label: profile.label,
    country: profile.country ?? null,
    acr: profile.acr,
    amr: [...profile.amr],
    source: builtIn.has(profile)
      ? 'built-in'
      : builtInIds.has(profile.id)
        ? 'overridden'
        : 'mapping-file',
  }));
}

export function mappingView(
  mapping: MappingRegistry,
  clients: readonly ClientMetadata[],
): MappingView {
  const current = mapping.current;
  const refusal = mapping.lastRefusal;
  const configured = new Set(clients.map((client) => client.client_id));
  return {
    file: current.file ?? null,
    loaded_at: mapping.loadedAt.toISOString(),
    last_refused: refusal ? { at: refusal.at.toISOString(), error: refusal.error.message } : null,
    clients: clients.map((client) => {
      const allowed = current.clients.get(client.client_id);
      return {
        client_id: client.client_id,
        client_name: typeof client.client_name === 'string' ? client.client_name : null,
        claims: allowed ? [...allowed] : null,
      };
    }),
    unknown_clients: [...current.clients.keys()].filter((id) => !configured.has(id)),
  };
}
