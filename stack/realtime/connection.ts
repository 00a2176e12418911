// One WebSocket: decodes frames, routes them (heartbeat, join, leave, channel events) and writes replies. Frames of
// a socket are handled strictly in arrival order; while one waits on the database (an RLS probe), the ones behind
// it queue, as they would behind a Phoenix channel join.
import type { WebSocket } from 'ws';
import { join, leave, refreshToken, removeChannel, type Channel } from './channel.ts';
import type { Context } from './context.ts';
import { BINARY, TEXT } from './fanout.ts';
import { handleBroadcast, handlePresence } from './handlers.ts';
import { decodeBinary, decodeText, encodeText, type InMessage, type Vsn } from './serializer.ts';

export class Conn {
  readonly channels = new Map<string, Channel>();
  lastSeen = Date.now();
  closed = false;
  private pending: Promise<void> | null = null;
  private queue: [Buffer, boolean][] | null = null;

  constructor(
    private ctx: Context,
    readonly ws: WebSocket,
    readonly vsn: Vsn,
    readonly token: string,
    /** The upgrade request's x-* headers, handed to RLS as request.headers. */
    readonly headers: Record<string, string>,
  ) {}

  sendText(joinRef: string | null, ref: string | null, topic: string, event: string, payload: unknown): void {
    if (this.closed) return;
    this.ws.send(encodeText(this.vsn, joinRef, ref, topic, event, payload));
  }

  sendFrame(frame: Buffer, binary: boolean): void {
    if (this.closed) return;
    this.ws.send(frame, binary ? BINARY : TEXT);
  }

  /**
   * Writes an already framed message (see fanout.wsFrame) through ws's sender, as engine.io does for Socket.IO
   * broadcasts. `list` is the one-element list ws expects, shared by every recipient of the message.
   */
  sendWire(list: [Buffer]): void {
    if (this.closed || this.ws.readyState !== 1) return;
    (this.ws as unknown as { _sender: { sendFrame(list: Buffer[]): void } })._sender.sendFrame(list);
  }

  close(code: number, reason: string): void {
    if (!this.closed) this.ws.close(code, reason);
  }

  onMessage(data: Buffer, isBinary: boolean): void {
    this.lastSeen = Date.now();
    if (this.pending) (this.queue ??= []).push([data, isBinary]);
    else this.run(data, isBinary);
  }

  /** Socket gone: every channel leaves (presence leaves reach the others at once). */
  onClose(): void {
    this.closed = true;
    for (const ch of [...this.channels.values()]) removeChannel(this.ctx, ch);
    this.queue = null;
  }

  private run(data: Buffer, isBinary: boolean): void {
    let result: void | Promise<void>;
    try {
      result = this.handle(data, isBinary);
    } catch (err) {
      this.ctx.log.error('message handling failed', { error: (err as Error).stack });
      return;
    }
    if (result) {
      this.pending = result
        .catch((err: Error) => this.ctx.log.error('message handling failed', { error: err.stack }))
        .then(() => {
          this.pending = null;
          while (!this.pending && this.queue?.length && !this.closed) {
            const [d, b] = this.queue.shift()!;
            this.run(d, b);
          }
        });
    }
  }

  private handle(data: Buffer, isBinary: boolean): void | Promise<void> {
    const { ctx } = this;
    if (isBinary) {
      const push = this.vsn === 2 ? decodeBinary(data) : null;
      if (!push) return this.malformed();
      const ch = this.channels.get(push.topic);
      if (!ch) return this.unmatched(push.joinRef, push.ref, push.topic);
      return handleBroadcast(
        ctx,
        ch,
        push.ref,
        {
          origin: 'binary',
          event: push.userEvent,
          encoding: push.encoding,
          bytes: push.payload,
          metaJson: '',
        },
        push.payload.length,
      );
    }
    const msg = decodeText(data.toString('utf8'), this.vsn);
    if (!msg) return this.malformed();
    if (msg.topic === 'phoenix') {
      if (msg.event === 'heartbeat')
        this.sendText(null, msg.ref, 'phoenix', 'phx_reply', { status: 'ok', response: {} });
      return;
    }
    if (msg.event === 'phx_join') return join(ctx, this, msg);
    if (msg.event === 'phx_leave') return leave(ctx, this, msg);
    const ch = this.channels.get(msg.topic);
    if (!ch) return this.unmatched(msg.joinRef, msg.ref, msg.topic);
    switch (msg.event) {
      case 'broadcast':
        return this.textBroadcast(ch, msg);
      case 'presence':
        return handlePresence(ctx, ch, msg);
      case 'access_token':
        return refreshToken(ctx, ch, msg.payload);
      default:
        ctx.log.debug('unexpected channel event', { topic: msg.topic, event: msg.event });
    }
  }

  /** The text form of a broadcast (V1 clients, other SDKs): forwarded as JSON, extra keys and all. */
  private textBroadcast(ch: Channel, msg: InMessage): void | Promise<void> {
    const body =
      msg.payload && typeof msg.payload === 'object' && !Array.isArray(msg.payload)
        ? (msg.payload as Record<string, unknown>)
        : null;
    if (!body) return;
    const size = Buffer.byteLength(JSON.stringify(body.payload ?? null));
    return handleBroadcast(this.ctx, ch, msg.ref, { origin: 'json', body }, size);
  }

  private malformed(): void {
    // Upstream logs MalformedWebSocketMessage and keeps the socket open.
    this.ctx.log.debug('MalformedWebSocketMessage');
  }

  private unmatched(joinRef: string | null, ref: string | null, topic: string): void {
    this.sendText(joinRef, ref, topic, 'phx_reply', { status: 'error', response: { reason: 'unmatched topic' } });
  }
}
