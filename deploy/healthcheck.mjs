// Container health check: GET /healthz on this process's own OIDC listener, over loopback.
// Reads the same environment as the IdP (EID_IDP_OIDC_PORT, EID_IDP_OIDC_PROTOCOL); the
// listener's certificate is the deployment's and is not checked here (loopback only).
import http from 'node:http';
import https from 'node:https';

const protocol = process.env.EID_IDP_OIDC_PROTOCOL === 'http' ? 'http' : 'https';
const port = Number(process.env.EID_IDP_OIDC_PORT || 8443);
const client = protocol === 'http' ? http : https;
const request = client.get(
  { host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 2500 },
  (response) => {
    response.resume();
    process.exit(response.statusCode === 200 ? 0 : 1);
  },
);
request.on('timeout', () => request.destroy(new Error('timeout')));
request.on('error', () => process.exit(1));
