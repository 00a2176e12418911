// Realtime's wire protocol spoken directly, for what the official client never sends: raw frames, malformed ones,
// refused WebSocket upgrades.
import { demoKeys } from '../config.ts';
import { Inbox, waitFor } from './wait.ts';

/** A bare WebSocket to a Realtime server. */
export class RawSocket {
  inbox = new Inbox<{ text?: unknown; binary?: Buffer }>();
  closed: Promise<{ code: number; reason: string }>;
  constructor(readonly ws: import('ws').WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) =>
      this.inbox.push(isBinary ? { binary: data } : { text: JSON.parse(data.toString('utf8')) }),
    );
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static async open(
    port: number,
    query = `apikey=${demoKeys.anonKey}&vsn=2.0.0`,
    path = '/realtime/v1/websocket',
  ): Promise<RawSocket> {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}?${query}`);
    const raw = new RawSocket(ws);
    await waitFor<void>('socket open', (resolve) => ws.once('open', () => resolve()));
    return raw;
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' || Buffer.isBuffer(msg) ? msg : JSON.stringify(msg));
  }

  private cursor = 0;

  /** Consumes frames until a text frame matches `match`; returns it. */
  async expect(match: (m: unknown[]) => boolean, what: string, ms = 3000): Promise<unknown[]> {
    for (;;) {
      const items = await this.inbox.next(this.cursor + 1, what, ms);
      const m = items[this.cursor++].text;
      if (Array.isArray(m) && match(m)) return m;
    }
  }
}

/** Status and body of a refused WebSocket upgrade (101 and no body when it was accepted). */
export async function upgradeAttempt(port: number, query: string): Promise<{ status: number; body: string }> {
  const { WebSocket } = await import('ws');
  return waitFor(`upgrade ${query}`, (resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/realtime/v1/websocket?${query}`);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.on('error', () => {});
  });
}
