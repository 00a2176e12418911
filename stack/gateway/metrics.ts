// GET /metrics on the gateway: what an operator scrapes, for the service role only. The product's broadcast counters
// come from the database (public.broadcast_metrics renders them: the same text the `metrics` edge function answers on
// hosted Supabase, where no gateway of ours exists), Realtime's own from its /metrics. The gateway reads both from the
// services' loopback ports as any client of theirs would, so it holds none of their rules; a scrape every few seconds
// can afford the hop that the request path cannot.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyJwt } from '../shared/jwt.ts';
import { derivedAuthorization, type Keys } from './routes.ts';

export const metricsPath = '/metrics';

export type MetricsAccess = { ok: true; token: string } | { ok: false; status: 401 | 403; message: string };

/**
 * Admin only: the service role's JWT as `Authorization: Bearer` or `apikey`, derived from the secret key as for every
 * route. 401 without a token or with one that does not verify; 403 for a valid token of another role.
 */
export function metricsAccess(
  authorization: string | undefined,
  apikey: string | undefined,
  keys: Keys,
  jwtSecret: string,
): MetricsAccess {
  const given = /^Bearer\s+(\S+)$/i.exec(derivedAuthorization(authorization, apikey, keys) ?? '')?.[1];
  if (!given) return { ok: false, status: 401, message: 'the service role key is required' };
  const token = given === keys.secretKey ? keys.serviceRoleKey : given === keys.publishableKey ? keys.anonKey : given;
  const verified = verifyJwt(token, jwtSecret, { requireExp: false });
  if (!verified.ok) return { ok: false, status: 401, message: 'invalid key or token' };
  if (verified.claims.role !== 'service_role') {
    return { ok: false, status: 403, message: 'metrics are for the service role only' };
  }
  return { ok: true, token };
}

export interface MetricsSources {
  /** The REST service (PostgREST), where public.broadcast_metrics is called as the caller's role. */
  rest?: { server: Server };
  /** Realtime, whose own /metrics is appended. */
  realtime?: { server: Server };
}

const loopbackUrl = (server: Server | undefined, path: string): string | undefined => {
  const address = server?.listening ? (server.address() as AddressInfo | null) : null;
  return address ? `http://127.0.0.1:${address.port}${path}` : undefined;
};

/** The exposition: the product's counters (or 503 when the database cannot be read), then Realtime's own. */
export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  access: MetricsAccess,
  sources: MetricsSources,
): Promise<void> {
  const fail = (status: number, message: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ message }));
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'Method Not Allowed', { allow: 'GET, HEAD' });
  if (!access.ok) return fail(access.status, access.message);

  const restUrl = loopbackUrl(sources.rest?.server, '/rpc/broadcast_metrics');
  let product: string;
  try {
    if (!restUrl) throw new Error('the REST service is not running');
    const reply = await fetch(restUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${access.token}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(5000),
    });
    const body = (await reply.json()) as unknown;
    if (!reply.ok || typeof body !== 'string') throw new Error(`REST answered ${reply.status}`);
    product = body;
  } catch (err) {
    return fail(503, `the broadcast counters cannot be read: ${(err as Error).message}`);
  }

  const realtimeUrl = loopbackUrl(sources.realtime?.server, '/metrics');
  let realtime = '# Realtime is not running\n';
  if (realtimeUrl) {
    try {
      const reply = await fetch(realtimeUrl, { signal: AbortSignal.timeout(5000) });
      if (reply.ok) realtime = await reply.text();
      else realtime = `# Realtime answered ${reply.status}\n`;
    } catch (err) {
      realtime = `# Realtime metrics unavailable: ${(err as Error).message.replace(/\s+/g, ' ')}\n`;
    }
  }
  const text = product + realtime;
  res.writeHead(200, {
    'content-type': 'text/plain; version=0.0.4',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}
