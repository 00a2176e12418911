// One fuzz WebSocket to Realtime through the gateway, and the liveness probe that judges what garbage did to it.
// Upstream answers a malformed frame with nothing at all (it logs MalformedWebSocketMessage and keeps the socket),
// so "an error reply or a close" cannot be the test of every frame; the test is that after each frame the socket is
// either closed or still answers a heartbeat. A socket that does neither is stuck, and that is the failure.
import WebSocket from 'ws';

export type Vsn = 1 | 2;

/** What the socket did after a frame. */
export type Outcome = 'error-reply' | 'alive' | 'closed' | 'hung';

/** How long a heartbeat may take behind a queued RLS probe before the socket counts as stuck. */
const PROBE_MS = 10_000;

interface Reply {
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

function decode(data: Buffer, vsn: Vsn): Reply | undefined {
  try {
    const m = JSON.parse(data.toString('utf8'));
    if (vsn === 2 && Array.isArray(m)) return { ref: m[1], topic: m[2], event: m[3], payload: m[4] };
    if (vsn === 1 && m && typeof m === 'object')
      return { ref: m.ref, topic: m.topic, event: m.event, payload: m.payload };
  } catch {
    // binary broadcasts (kind 4) and anything else: not a reply
  }
  return undefined;
}

const replyStatus = (p: unknown) => (p && typeof p === 'object' ? (p as { status?: unknown }).status : undefined);

export class FuzzSocket {
  closed: { code: number; reason: string } | undefined;
  /** Refs of private joins to topics no fuzz identity may read: an `ok` reply to one is an unauthorized join. */
  readonly guardedJoins = new Map<string, string>();
  private waiters = new Map<string, () => void>();
  private errorRefs = new Set<string>();
  private closeWaiters: (() => void)[] = [];
  private refs = 0;

  private constructor(
    private ws: WebSocket,
    readonly vsn: Vsn,
    private violations: string[],
  ) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) this.onText(data);
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const w of this.closeWaiters.splice(0)) w();
    });
    ws.on('error', () => {}); // the close that follows is what counts
  }

  /** Opens a socket, or answers the HTTP status of the refused upgrade. */
  static open(port: number, query: string, vsn: Vsn, violations: string[]): Promise<FuzzSocket | { status: number }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/realtime/v1/websocket?${query}`, { maxPayload: 64 << 20 });
      ws.on('unexpected-response', (_req, res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0 });
        ws.terminate();
      });
      ws.on('open', () => resolve(new FuzzSocket(ws, vsn, violations)));
      ws.on('error', () => resolve({ status: 0 }));
    });
  }

  nextRef(): string {
    return `f${++this.refs}`;
  }

  send(data: string | Buffer, binary = false): void {
    if (!this.closed && this.ws.readyState === WebSocket.OPEN) this.ws.send(data, { binary });
  }

  /** A Phoenix message in this socket's serialization. */
  encode(joinRef: string | null, ref: string | null, topic: string, event: string, payload: unknown): string {
    return JSON.stringify(
      this.vsn === 2 ? [joinRef, ref, topic, event, payload] : { join_ref: joinRef, ref, topic, event, payload },
    );
  }

  /** After a frame sent with `ref`: did it get an error reply, is the socket still answering, or did it close? */
  async probe(ref: string): Promise<Outcome> {
    if (this.closed) return 'closed';
    const beat = this.nextRef();
    const answered = new Promise<'alive' | 'closed' | 'hung'>((resolve) => {
      const timer = setTimeout(() => resolve('hung'), PROBE_MS);
      this.waiters.set(beat, () => {
        clearTimeout(timer);
        resolve('alive');
      });
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve('closed');
      });
    });
    this.send(this.encode(null, beat, 'phoenix', 'heartbeat', {}));
    const outcome = await answered;
    this.waiters.delete(beat);
    return outcome === 'alive' && this.errorRefs.delete(ref) ? 'error-reply' : outcome;
  }

  close(): void {
    this.ws.terminate();
  }

  private onText(data: Buffer): void {
    const m = decode(data, this.vsn);
    if (!m || m.event !== 'phx_reply' || typeof m.ref !== 'string') return;
    const status = replyStatus(m.payload);
    const guarded = this.guardedJoins.get(m.ref);
    if (guarded !== undefined) {
      this.guardedJoins.delete(m.ref);
      if (status === 'ok') this.violations.push(`a fuzz socket joined the private topic ${guarded} (join ${m.ref})`);
    }
    if (status === 'error') this.errorRefs.add(m.ref);
    this.waiters.get(m.ref)?.();
  }
}
