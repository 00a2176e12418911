// The route table of the CLI's Kong config: public prefix → upstream service, path rewrite and how the
// Authorization / sb-api-key header is derived from the apikey.
export type Upstream = 'auth' | 'rest' | 'realtime' | 'functions';

export interface Route {
  upstream: Upstream;
  /** Path the upstream sees (prefix stripped, as Kong's strip_path). */
  path: string;
  /** Which header receives the token derived from the apikey; 'none' leaves the request untouched. */
  auth: 'authorization' | 'sb-api-key' | 'none';
  extraHeaders?: Record<string, string>;
}

const openAuthPaths = new Set(['/verify', '/callback', '/authorize']);

/** Resolves a request path (with query) to a route, or undefined for Kong's "no Route matched". */
export function matchRoute(url: string): Route | undefined {
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  const strip = (prefix: string) => (pathname.slice(prefix.length) || '/') + query;

  if (pathname.startsWith('/auth/v1/') || pathname === '/auth/v1') {
    const path = strip('/auth/v1');
    return { upstream: 'auth', path, auth: openAuthPaths.has(path.split('?')[0]) ? 'none' : 'authorization' };
  }
  if (pathname.startsWith('/rest/v1/') || pathname === '/rest/v1')
    return { upstream: 'rest', path: strip('/rest/v1'), auth: 'authorization' };
  if (pathname === '/graphql/v1') {
    return {
      upstream: 'rest',
      path: '/rpc/graphql' + query,
      auth: 'authorization',
      extraHeaders: { 'content-profile': 'graphql_public' },
    };
  }
  if (pathname.startsWith('/realtime/v1/api/'))
    return { upstream: 'realtime', path: '/api/' + strip('/realtime/v1/api/'), auth: 'authorization' };
  if (pathname.startsWith('/realtime/v1/'))
    return { upstream: 'realtime', path: '/socket/' + strip('/realtime/v1/'), auth: 'none' };
  if (pathname.startsWith('/functions/v1/') || pathname === '/functions/v1') {
    return { upstream: 'functions', path: strip('/functions/v1'), auth: 'sb-api-key' };
  }
  return undefined;
}

export interface Keys {
  anonKey: string;
  serviceRoleKey: string;
  publishableKey: string;
  secretKey: string;
}

/**
 * Kong's derived token: an existing Authorization wins unless it carries an opaque sb_ key; the secret key becomes
 * the service_role JWT, the publishable key the anon JWT; any other apikey is passed on (as a Bearer token — Kong
 * passes it bare, which PostgREST would refuse, so we add the scheme).
 */
export function derivedAuthorization(
  authorization: string | undefined,
  apikey: string | undefined,
  keys: Keys,
): string | undefined {
  if (authorization && !authorization.startsWith('Bearer sb_')) return authorization;
  if (apikey === keys.secretKey) return `Bearer ${keys.serviceRoleKey}`;
  if (apikey === keys.publishableKey) return `Bearer ${keys.anonKey}`;
  if (apikey) return apikey.startsWith('Bearer ') ? apikey : `Bearer ${apikey}`;
  return authorization;
}

/** The query form for WebSocket upgrades: opaque keys in `apikey` become the matching JWT. */
export function derivedQueryApikey(apikey: string | null, keys: Keys): string | null {
  if (apikey === keys.secretKey) return keys.serviceRoleKey;
  if (apikey === keys.publishableKey) return keys.anonKey;
  return apikey;
}
