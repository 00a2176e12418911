// The HTTP side: POST /api/broadcast (batch, JSON deliveries) and POST /api/broadcast/:topic/events/:event
// (single, kind-4 deliveries), both also under /realtime/v1 as the gateway exposes them, plus /metrics.
// Auth is `Authorization: Bearer` or else the `apikey` header; query parameters are ignored for auth, as upstream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readBody } from '../shared/http.ts';
import type { Context } from './context.ts';
import { topicKey } from './context.ts';
import { fanoutBroadcast } from './fanout.ts';
import { verifyJwt, type Claims } from './jwt.ts';

const cors = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers':
    'authorization, x-client-info, apikey, content-type, x-retry-count, traceparent, tracestate, baggage',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
};

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    ...cors,
    ...(body === undefined
      ? {}
      : { 'content-type': typeof body === 'string' ? 'text/plain; version=0.0.4' : 'application/json' }),
    ...headers,
  });
  res.end(text);
}

/** The body, or null past the frame limit (the connection is closed then, nothing more is read). */
function requestBody(ctx: Context, req: IncomingMessage): Promise<Buffer | null> {
  return readBody(req, ctx.limits.config.maxFrameBytes, 'destroy').catch((err: unknown) => {
    if (err instanceof BodyTooLargeError) return null;
    throw err;
  });
}

/** Maps the gateway's opaque keys to the JWTs it would inject (a gatewayless server does it itself). */
export function tokenForKey(ctx: Context, key: string): string {
  const o = ctx.options.opaqueKeys;
  if (o && key === o.publishable) return o.anonJwt;
  if (o && key === o.secret) return o.serviceRoleJwt;
  return key;
}

function requestClaims(ctx: Context, req: IncomingMessage): Claims | null {
  const auth = req.headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
  const key = req.headers.apikey;
  const raw = bearer ?? (typeof key === 'string' ? key : undefined);
  if (!raw) return null;
  const verified = verifyJwt(tokenForKey(ctx, raw), ctx.keys);
  return verified.ok ? verified.claims : null;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') out[k] = v;
  return out;
}

export async function handleHttp(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const path = url.pathname.replace(/^\/realtime\/v1(?=\/)/, '');
  if (req.method === 'OPTIONS') return send(res, 204);
  if (req.method === 'GET' && path === '/metrics') return send(res, 200, ctx.metrics.render());
  if (req.method === 'POST' && path === '/api/broadcast') return batch(ctx, req, res);
  const single = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/.exec(path);
  if (req.method === 'POST' && single) {
    let topic: string;
    let event: string;
    try {
      [topic, event] = [decodeURIComponent(single[1]), decodeURIComponent(single[2])];
    } catch {
      return send(res, 400, { message: 'Bad Request' }); // Plug's MalformedURIError is a 400 too
    }
    return one(ctx, req, res, topic, event, url.searchParams.get('private') === 'true');
  }
  send(res, 404, { message: 'Not Found' });
}

interface BatchMessage {
  topic: string;
  event: string;
  payload: Record<string, unknown>;
  private: boolean;
  id?: string;
}

async function batch(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const claims = requestClaims(ctx, req);
  if (!claims) return send(res, 401, { message: 'Unauthorized' });
  const body = await requestBody(ctx, req);
  let parsed: { messages?: unknown } = {};
  try {
    parsed = body ? JSON.parse(body.toString('utf8')) : {};
  } catch {
    return send(res, 400, { message: 'Invalid JSON body' });
  }
  if (!Array.isArray(parsed?.messages) || parsed.messages.length === 0) {
    return send(res, 422, { errors: { messages: ["can't be blank"] } });
  }
  // Field errors per message, as Ecto reports embeds: one map per message, empty when valid.
  let invalid = false;
  const errors = parsed.messages.map((m: Record<string, unknown>) => {
    const e: Record<string, string[]> = {};
    for (const f of ['topic', 'event'] as const)
      if (typeof m?.[f] !== 'string' || m[f] === '') e[f] = ["can't be blank"];
    if (m?.payload === undefined || m.payload === null) e.payload = ["can't be blank"];
    else if (typeof m.payload !== 'object' || Array.isArray(m.payload)) e.payload = ['is invalid'];
    else if (Buffer.byteLength(JSON.stringify(m.payload)) > ctx.limits.maxPayloadBytes)
      e.payload = ['Payload size exceeds tenant limit'];
    if (Object.keys(e).length) invalid = true;
    return e;
  });
  if (invalid) return send(res, 422, { errors: { messages: errors } });
  const messages = (parsed.messages as Record<string, unknown>[]).map((m): BatchMessage => ({
    topic: m.topic as string,
    event: m.event as string,
    payload: m.payload as Record<string, unknown>,
    private: m.private === true || m.private === 'true',
    id: typeof m.id === 'string' ? m.id : undefined,
  }));
  if (messages.length > ctx.limits.config.maxEventsPerSecond) {
    return send(res, 429, { message: 'Too many messages to broadcast, please reduce the batch size' });
  }
  if (ctx.limits.events.tripped) return tooMany(ctx, res);

  // Private messages: one write check per topic with the caller's role and claims; refused ones are skipped.
  const allowed = new Map<string, boolean>();
  const headers = headersOf(req);
  for (const topic of new Set(messages.filter((m) => m.private).map((m) => m.topic))) {
    try {
      allowed.set(topic, await ctx.authorizer.write({ topic, claims, headers }, 'broadcast'));
    } catch (err) {
      ctx.log.warn('REST broadcast authorization failed', { topic, error: (err as Error).message });
      allowed.set(topic, false);
    }
  }
  for (const m of messages) {
    ctx.metrics.eventsIn.inc();
    ctx.limits.events.add(1);
    if (m.private && !allowed.get(m.topic)) continue;
    const bodyOut: Record<string, unknown> = { type: 'broadcast', event: m.event, payload: m.payload };
    if (m.id !== undefined) bodyOut.meta = { id: m.id };
    fanoutBroadcast(ctx, topicKey(m.private, m.topic), `realtime:${m.topic}`, {
      origin: 'json',
      body: bodyOut,
      id: m.id,
    });
  }
  send(res, 202);
}

async function one(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  topic: string,
  event: string,
  isPrivate: boolean,
): Promise<void> {
  const claims = requestClaims(ctx, req);
  if (!claims) return send(res, 401, { message: 'Unauthorized' });
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== '' && type !== 'application/json' && type !== 'application/octet-stream') {
    return send(res, 415, { error: 'Unsupported Media Type. Use application/json or application/octet-stream' });
  }
  const body = await requestBody(ctx, req);
  if (!body || body.length > ctx.limits.maxPayloadBytes)
    return send(res, 422, { message: 'Payload size exceeds tenant limit' });
  const binary = type === 'application/octet-stream';
  if (!binary) {
    try {
      JSON.parse(body.toString('utf8'));
    } catch {
      return send(res, 400, { message: 'Invalid JSON body' });
    }
  }
  if (ctx.limits.events.tripped) return tooMany(ctx, res);
  if (isPrivate) {
    let ok: boolean;
    try {
      ok = await ctx.authorizer.write({ topic, claims, headers: headersOf(req) }, 'broadcast');
    } catch {
      return send(res, 422, { message: 'RLS policy error' });
    }
    if (!ok) return send(res, 403, { message: 'Unauthorized' });
  }
  ctx.metrics.eventsIn.inc();
  ctx.limits.events.add(1);
  fanoutBroadcast(ctx, topicKey(isPrivate, topic), `realtime:${topic}`, {
    origin: 'binary',
    event,
    encoding: binary ? 0 : 1,
    bytes: body,
    metaJson: '',
  });
  send(res, 202);
}

function tooMany(ctx: Context, res: ServerResponse): void {
  const { events } = ctx.limits;
  send(
    res,
    429,
    { message: 'Too many requests' },
    {
      'x-rate-rolling': String(Math.round(events.avg)),
      'x-rate-limit': String(events.limit),
      'x-rate-limit-remaining': String(Math.max(0, Math.round(events.limit - events.avg))),
    },
  );
}
