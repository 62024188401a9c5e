import Provider, {
  type errors,
  type ClientMetadata,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { isStoreUnavailable } from '../errors.js';
import type { MappingRegistry } from '../identity/mapping-registry.js';
import { accountClaims } from './claims-release.js';
import type { Logger } from '../observability/logger.js';
import type { PageRenderer } from '../pages/render.js';
import type { KeyValueStore } from '../store/contract.js';
import type { LoginRecord, LoginRecords } from './login-record.js';
import type { RememberedConsent } from './remembered-consent.js';
import { ACR_VALUES, SCOPE_CLAIMS, SCOPES } from './scopes.js';
import type { PrivateJwks } from './signing-keys.js';
import { StoreAdapter } from './store-adapter.js';
import type { SubjectDerivation } from './subject.js';
import { renderOidcError, renderPage } from './page-response.js';
import { replaceBuiltInLogoutForms } from './built-in-logout-forms.js';

export interface ProviderOptions {
  issuer: string;
  store: KeyValueStore;
  jwks: PrivateJwks;
  cookieKeys: string[];
  clients: ClientMetadata[];
  subjects: SubjectDerivation;
  loginRecords: LoginRecords;
  consents: RememberedConsent;
  mapping: MappingRegistry;
  pages: PageRenderer;
  logger: Logger;
  ttl: {
    interactionSeconds: number;
    sessionSeconds: number;
    grantSeconds: number;
  };
  requirePkceForConfidentialClients: boolean;
}

type ResponseModeHandler = Parameters<Provider['registerResponseMode']>[1];

/** The key under which the interaction result carries the login record to the session. */
export const LOGIN_RECORD_RESULT_KEY = 'eid';

/**
 * oidc-provider configured as eid-idp: authorization code flow with PKCE, our own pages
 * for every screen, our store, pairwise subjects, and claims that come from the login's
 * certificate rather than from a user database.
 */
export function createProvider(options: ProviderOptions): Provider {
  const { pages, loginRecords, subjects, logger } = options;

  const configuration: Configuration = {
    adapter: (model: string) => new StoreAdapter(options.store, model),
    clients: options.clients,
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      subject_type: 'pairwise',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    jwks: options.jwks as Configuration['jwks'],
    cookies: {
      keys: options.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    claims: Object.fromEntries(SCOPES.map((scope) => [scope, [...SCOPE_CLAIMS[scope]]])),
    loadExistingGrant: (ctx) => options.consents.load(ctx),
    scopes: SCOPES,
    acrValues: [...ACR_VALUES],
    subjectTypes: ['public', 'pairwise'],
    responseTypes: ['code'],
    pkce: {
      required: (_ctx, client) =>
        client.tokenEndpointAuthMethod === 'none' || options.requirePkceForConfidentialClients,
    },
    // Claims granted by scope go into the ID token too: relying parties of eID logins expect
    // the person's name in the token they verify, without a second call to userinfo.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      userinfo: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx) => {
          const session = ctx.oidc.session;
          renderPage(ctx, pages, 'logout', {
            host: new URL(options.issuer).host,
            action: ctx.oidc.urlFor('end_session_confirm'),
            xsrf: (session?.state as { secret?: string } | undefined)?.secret ?? '',
          });
        },
        postLogoutSuccessSource: async (ctx) => {
          renderPage(ctx, pages, 'logged-out', {});
        },
      },
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: options.ttl.interactionSeconds,
      Session: options.ttl.sessionSeconds,
      Grant: options.ttl.grantSeconds,
    },
    pairwiseIdentifier: (_ctx, accountId, client) =>
      subjects.pairwise(String(client.sectorIdentifier ?? client.clientId), accountId),
    findAccount: async (ctx, accountId, token) => {
      const sessionUid =
        token && 'sessionUid' in token ? (token.sessionUid as string | undefined) : undefined;
      const record = await findLoginRecord(ctx, accountId, sessionUid, loginRecords);
      if (!record) return undefined;
      return {
        accountId,
        // The administrator's mapping may restrict what a client receives, on top of its
        // scopes and the person's consent; the consent page and the admin preview use the
        // same function (claims-release.ts).
        claims: (_use, scope) => ({
          ...accountClaims(record, ctx.oidc.client?.clientId ?? '', options.mapping.current, scope),
          sub: accountId,
        }),
      };
    },
    renderError: async (ctx, out, error) => {
      renderOidcError(ctx, pages, out, error, logger);
    },
  };

  const provider = new (formPostReplacingProvider(pages))(options.issuer, configuration);
  provider.use(replaceBuiltInLogoutForms(pages));
  provider.on('server_error', (_ctx, error) => {
    // Redis down is an outage already reported once by the store, not a bug: no stack per request.
    if (isStoreUnavailable(error)) {
      logger.warn({ event: 'oidc.store_unavailable', code: 'STORE_UNAVAILABLE' }, 'store unavailable');
      return;
    }
    logger.error({ event: 'oidc.server_error', err: error }, 'oidc-provider server error');
  });
  const logProtocolError = (event: string) => (_ctx: unknown, error: errors.OIDCProviderError) => {
    logger.info({ event, error: error.error, description: error.error_description });
  };
  provider.on('authorization.error', logProtocolError('authorization.error'));
  provider.on('grant.error', logProtocolError('grant.error'));
  provider.on('end_session.error', logProtocolError('end_session.error'));
  return provider;
}

/**
 * The claims of a login live with its session. A login that has just finished brings its
 * record in the interaction result; it is saved under the new session here, the first
 * point where that session exists. Later calls (token, userinfo) find it by the session uid
 * the code or token carries.
 */
async function findLoginRecord(
  ctx: KoaContextWithOIDC,
  accountId: string,
  tokenSessionUid: string | undefined,
  loginRecords: LoginRecords,
): Promise<LoginRecord | undefined> {
  const session = ctx.oidc.session;
  const result = (ctx.oidc as { result?: Record<string, unknown> }).result;
  const fresh = result?.[LOGIN_RECORD_RESULT_KEY] as LoginRecord | undefined;
  if (!tokenSessionUid && fresh && session && fresh.accountId === accountId) {
    await loginRecords.saveForSession(session.uid, fresh);
    return fresh;
  }
  const sessionUid = tokenSessionUid ?? session?.uid;
  if (!sessionUid) return undefined;
  const record = await loginRecords.findForSession(sessionUid);
  return record?.accountId === accountId ? record : undefined;
}

/**
 * oidc-provider registers its own form_post page (English, inline script) while it is
 * being constructed; this subclass swaps in ours from views/ at that moment. The two places
 * that call its form_post function directly are handled by replaceBuiltInLogoutForms.
 */
function formPostReplacingProvider(pages: PageRenderer) {
  return class EidProvider extends Provider {
    override registerResponseMode(name: string, handler: ResponseModeHandler): void {
      if (name !== 'form_post') {
        super.registerResponseMode(name, handler);
        return;
      }
      super.registerResponseMode(name, (ctx, action, inputs) => {
        ctx.status = 'error' in inputs ? 400 : 200;
        renderPage(ctx, pages, 'form-post', { action, inputs }, { formAction: action });
      });
    }
  };
}
