import https from 'node:https';
import Provider, { type Configuration } from 'oidc-provider';
import { acceptControl, announceReady, BENCH_CLIENT, COOKIE_KEYS, readSettings } from './common.js';

/**
 * Baseline (a): bare oidc-provider with its development login and consent forms, its own
 * in-memory adapter, the same client, signing keys, cookie keys, TLS key and PKCE rule as
 * the IdP, over HTTPS. No certificate anywhere: this is the cost of the OIDC flow itself.
 */
const { settings, material } = readSettings();
const issuer = `https://localhost:${settings.ports.oidc}`;
const configuration: Configuration = {
  clients: [
    {
      client_id: BENCH_CLIENT.client_id,
      client_secret: BENCH_CLIENT.client_secret,
      redirect_uris: [BENCH_CLIENT.redirect_uri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      subject_type: 'pairwise',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  jwks: JSON.parse(material.jwks) as Configuration['jwks'],
  cookies: { keys: COOKIE_KEYS },
  claims: { openid: ['sub'], profile: ['given_name', 'family_name', 'name'] },
  pkce: { required: () => true },
  subjectTypes: ['public', 'pairwise'],
  pairwiseIdentifier: async (_ctx, accountId, client) => `${client.clientId}.${accountId}`,
  features: { devInteractions: { enabled: true } },
};
const provider = new Provider(issuer, configuration);
// The bench drives this over loopback; oidc-provider's "insecure" warnings are expected.
provider.on('server_error', (_ctx, error) => console.error(error));
const server = https.createServer(
  { cert: `${material.tlsCertPem}${material.tlsCaPem}`, key: material.tlsKeyPem, minVersion: 'TLSv1.2' },
  provider.callback(),
);
acceptControl();
server.listen(settings.ports.oidc, settings.host, () => announceReady({ issuer }));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
