// A real OpenID Provider for the browser tests of madoguchi's OpenID Connect sign-in.
//
// It is the certified `oidc-provider` package (npm), not a stand-in for the protocol:
// discovery, signed ID tokens, the authorization code flow with PKCE, client
// authentication at the token endpoint and the userinfo endpoint are all its own.
// The login and consent pages are the package's development interactions (any login
// name and password are accepted; the login name becomes the subject).
//
// The test fixture (e2e/oidc_provider/__init__.py) starts it as a subprocess with one
// JSON document in the OIDC_TEST_CONFIG environment variable:
//
//   {
//     "port": 8123,
//     "clients": [{"client_id": "…", "client_secret": "…", "redirect_uris": ["…"]}],
//     "scopes": {"profile": ["name", "family_name", …], "email": ["email", "email_verified"]},
//     "accounts": {"taro": {"name": "…", "email": "…", …}}
//   }
//
// `scopes` says which claims each scope releases, so that one provider can speak like
// the digital authentication app (standard OpenID claims) and another like gBizID
// (corporate_number, user_last_nm, …). It prints "ready <issuer>" once it listens.

import { randomBytes } from 'node:crypto';
import process from 'node:process';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG ?? '{}');
const port = Number(config.port);
if (!Number.isInteger(port) || port <= 0) {
  console.error('OIDC_TEST_CONFIG needs a "port"');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const accounts = config.accounts ?? {};

const provider = new Provider(issuer, {
  clients: (config.clients ?? []).map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  })),
  claims: { openid: ['sub'], ...(config.scopes ?? {}) },
  // PKCE is required of every client, confidential ones included: the relying party
  // must send a code challenge and prove the verifier at the token endpoint.
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  async findAccount(_ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { ...(accounts[sub] ?? {}), sub };
      },
    };
  },
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
