// GET /health, GET /settings and GET /.well-known/jwks.json: what tooling and clients read about the server.
import type { AuthContext } from '../context.ts';
import type { Handler } from '../http.ts';

// The GoTrue release `supabase start` (CLI 2.117) runs; this server answers as that version does.
const version = 'v2.196.0';

const externalProviders = [
  'apple',
  'azure',
  'bitbucket',
  'discord',
  'facebook',
  'snapchat',
  'figma',
  'fly',
  'github',
  'gitlab',
  'google',
  'keycloak',
  'kakao',
  'linkedin',
  'linkedin_oidc',
  'notion',
  'spotify',
  'slack',
  'slack_oidc',
  'workos',
  'twitch',
  'twitter',
  'zoom',
];

export const healthHandler = (): Handler => async () => ({
  status: 200,
  body: { version, name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' },
});

export const settingsHandler =
  (ctx: AuthContext): Handler =>
  async () => ({
    status: 200,
    body: {
      external: {
        anonymous_users: ctx.cfg.anonymousSignIns,
        ...Object.fromEntries(externalProviders.map((p) => [p, false])),
        email: true,
        phone: false,
      },
      disable_signup: ctx.cfg.disableSignup,
      mailer_autoconfirm: true,
      phone_autoconfirm: true,
      sms_provider: '',
      saml_enabled: false,
      passkeys_enabled: false,
    },
  });

/** HS256 only: symmetric keys are never published, so the set is empty (auth-js then validates via GET /user). */
export const jwksHandler = (): Handler => async () => ({
  status: 200,
  body: { keys: [] },
  headers: { 'cache-control': 'public, max-age=600' },
});
