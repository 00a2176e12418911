// The load process of the benchmark: receivers and the sender live here, apart from the server under test. It
// speaks each peer's own protocol with the lightest client that protocol allows (raw Phoenix V2 frames for this
// server, plain frames for bare ws, socket.io-client for Socket.IO) and measures latency with the monotonic clock,
// which every process on the machine shares.
import { WebSocket } from 'ws';
import { io, type Socket } from 'socket.io-client';
import { demoKeys } from '../../config.ts';

export type Kind = 'realtime' | 'ws' | 'socketio';

interface Endpoint {
  send(payload: string): void;
  onMessage(cb: (payload: string) => void): void;
  close(): void;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const enc = new TextEncoder();

function wsOpen(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.setMaxListeners(0); // one listener per pipelined join
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function waitText(ws: WebSocket, match: (text: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    const on = (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const text = data.toString();
      if (match(text)) {
        ws.off('message', on);
        resolve(text);
      }
    };
    ws.on('message', on);
  });
}

/** Joins a Phoenix channel over a raw socket; resolves with the reply status. */
async function phxJoin(ws: WebSocket, ref: string, topic: string, config: unknown, token?: string): Promise<string> {
  const reply = waitText(ws, (t) => t.startsWith(`["${ref}","${ref}"`));
  ws.send(JSON.stringify([ref, ref, topic, 'phx_join', { config, ...(token ? { access_token: token } : {}) }]));
  return JSON.parse(await reply)[4].status;
}

/** A kind-3 frame, byte for byte what realtime-js sends for channel.send() with a JSON payload. */
function kind3(joinRef: string, ref: string, topic: string, event: string, payload: string): Buffer {
  const parts = [joinRef, ref, topic, event].map((s) => enc.encode(s));
  const body = enc.encode(payload);
  const out = Buffer.alloc(7 + parts.reduce((n, p) => n + p.length, 0) + body.length);
  out.set([3, parts[0].length, parts[1].length, parts[2].length, parts[3].length, 0, 1]);
  let o = 7;
  for (const p of [...parts, body]) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export async function connect(kind: Kind, port: number, room: string): Promise<Endpoint> {
  if (kind === 'realtime') {
    const ws = await wsOpen(`ws://127.0.0.1:${port}/realtime/v1/websocket?apikey=${demoKeys.anonKey}&vsn=2.0.0`);
    const topic = `realtime:${room}`;
    const status = await phxJoin(ws, '1', topic, {
      broadcast: { self: false, ack: false },
      presence: { key: '', enabled: false },
      postgres_changes: [],
      private: false,
    });
    if (status !== 'ok') throw new Error(`join failed: ${status}`);
    let ref = 1;
    return {
      send: (payload) => ws.send(kind3('1', String(++ref), topic, 'm', payload)),
      onMessage: (cb) =>
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          if (!isBinary || data[0] !== 4) return;
          cb(data.toString('utf8', 5 + data[1] + data[2] + data[3]));
        }),
      close: () => ws.terminate(),
    };
  }
  if (kind === 'ws') {
    const ws = await wsOpen(`ws://127.0.0.1:${port}`);
    const joined = waitText(ws, (t) => t === 'joined');
    ws.send(`join:${room}`);
    await joined;
    return {
      send: (payload) => ws.send(payload),
      onMessage: (cb) => ws.on('message', (data: Buffer) => cb(data.toString())),
      close: () => ws.terminate(),
    };
  }
  const socket: Socket = io(`http://127.0.0.1:${port}`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  await socket.emitWithAck('join', room);
  return {
    send: (payload) => socket.emit('msg', room, payload),
    onMessage: (cb) => socket.on('msg', (data: string) => cb(data)),
    close: () => socket.disconnect(),
  };
}

async function inBatches<T>(n: number, batch: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += batch) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, j) => make(i + j)))));
  }
  return out;
}

let sender: Endpoint | undefined;
let receivers: Endpoint[] = [];
let onPayload: (payload: string) => void = () => {};
let idle: { close(): void }[] = [];

async function setup(kind: Kind, port: number, count: number, room: string): Promise<void> {
  receivers = await inBatches(count, 50, () => connect(kind, port, room));
  for (const r of receivers) r.onMessage((p) => onPayload(p));
  sender = await connect(kind, port, room);
}

/** Sends at `rate` msg/s for `ms` (rate 0: as fast as deliveries keep up) and waits for the deliveries. */
async function run(
  rate: number,
  ms: number,
  measure: boolean,
): Promise<{ deliveries: number; latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let deliveries = 0;
  onPayload =
    measure && rate > 0
      ? (p) => {
          deliveries++;
          latencies.push(nowUs() - JSON.parse(p).t);
        }
      : () => void deliveries++;
  const started = nowUs();
  let sent = 0;
  const payload = (seq: number) => JSON.stringify({ s: seq, t: nowUs(), room: 'bench', pad: 'xxxxxxxxxxxxxxxx' });
  await new Promise<void>((resolve) => {
    if (rate > 0) {
      const timer = setInterval(() => {
        const elapsed = nowUs() - started;
        const due = Math.min(Math.floor((elapsed / 1e6) * rate), Math.floor((ms / 1000) * rate));
        while (sent < due) sender!.send(payload(sent++));
        if (elapsed >= ms * 1000) {
          clearInterval(timer);
          resolve();
        }
      }, 1);
    } else {
      // Peak: keep a bounded number of messages in flight (measured by deliveries), so queues stay short.
      const window = 64 * receivers.length;
      const pump = () => {
        if (nowUs() - started >= ms * 1000) return resolve();
        while (sent * receivers.length - deliveries < window) sender!.send(payload(sent++));
        setImmediate(pump);
      };
      pump();
    }
  });
  const expected = sent * receivers.length;
  const deadline = nowUs() + 3e6;
  while (deliveries < expected && nowUs() < deadline) await new Promise((r) => setTimeout(r, 5));
  return { deliveries, latencies, seconds: (nowUs() - started) / 1e6 };
}

function teardown(): void {
  for (const e of [...receivers, ...(sender ? [sender] : [])]) e.close();
  receivers = [];
  sender = undefined;
}

/** `count` more idle sockets, each joined (to a private channel for this server, authorized by RLS). */
async function openIdle(kind: Kind, port: number, count: number, token: string): Promise<void> {
  const opened = await inBatches(count, 100, async (i) => {
    if (kind !== 'realtime') return connect(kind, port, `room${i % 100}`);
    const ws = await wsOpen(`ws://127.0.0.1:${port}/realtime/v1/websocket?apikey=${demoKeys.anonKey}&vsn=2.0.0`);
    const status = await phxJoin(
      ws,
      '1',
      `realtime:bench:${i % 100}`,
      { private: true, broadcast: { self: false } },
      token,
    );
    if (status !== 'ok') throw new Error(`private join refused: ${status}`);
    return { close: () => ws.terminate() };
  });
  idle.push(...opened);
}

/** Private joins per second: `sockets` sockets each join `perSocket` private channels at once. */
async function privateJoins(
  port: number,
  sockets: number,
  perSocket: number,
  token: string,
): Promise<{ joins: number; seconds: number }> {
  const conns = await inBatches(sockets, 50, () =>
    wsOpen(`ws://127.0.0.1:${port}/realtime/v1/websocket?apikey=${demoKeys.anonKey}&vsn=2.0.0`),
  );
  const started = nowUs();
  const statuses = await Promise.all(
    conns.flatMap((ws) =>
      Array.from({ length: perSocket }, (_, j) =>
        phxJoin(ws, String(j + 1), `realtime:bench:${j}`, { private: true }, token),
      ),
    ),
  );
  const seconds = (nowUs() - started) / 1e6;
  for (const ws of conns) ws.terminate();
  const refused = statuses.filter((s) => s !== 'ok').length;
  if (refused) throw new Error(`${refused} private joins refused`);
  return { joins: statuses.length, seconds };
}

type Command =
  | { cmd: 'setup'; kind: Kind; port: number; receivers: number; room: string }
  | { cmd: 'run'; rate: number; ms: number; measure: boolean }
  | { cmd: 'teardown' }
  | { cmd: 'idle'; kind: Kind; port: number; count: number; token: string }
  | { cmd: 'release' }
  | { cmd: 'joins'; port: number; sockets: number; perSocket: number; token: string };

process.on('message', (c: Command) => {
  const reply = (p: Promise<unknown> | unknown) =>
    Promise.resolve(p).then(
      (result) => process.send!({ ok: true, result }),
      (err: Error) => process.send!({ ok: false, error: err.message }),
    );
  switch (c.cmd) {
    case 'setup':
      return reply(setup(c.kind, c.port, c.receivers, c.room));
    case 'run':
      return reply(run(c.rate, c.ms, c.measure));
    case 'teardown':
      return reply(teardown());
    case 'idle':
      return reply(openIdle(c.kind, c.port, c.count, c.token));
    case 'release':
      return reply(idle.splice(0).forEach((s) => s.close()));
    case 'joins':
      return reply(privateJoins(c.port, c.sockets, c.perSocket, c.token));
  }
});
process.send!({ ready: true });
