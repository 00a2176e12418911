// WebSocket hand-off: the gateway accepts a Realtime upgrade, rewrites it as it would for a spliced connection, and
// passes the client's socket itself (its file descriptor, over the supervisor's fork IPC channels) to Realtime.
// After that the gateway is out of the data path: every frame of a fan-out is one write from Realtime straight to the
// client, instead of a write to the gateway, a read there and a second write. On 2 cores that halves the syscalls
// (and cross-CPU wake-ups) of a broadcast. Without an IPC parent (a service run alone, tests) the gateway splices.
import { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

export interface UpgradeHandoff {
  type: 'upgrade-handoff';
  upstream: 'realtime';
  method: string;
  /** The upstream path and query, as the gateway rewrote them. */
  url: string;
  /** Header names and values, alternating, as the gateway would have written them upstream. */
  rawHeaders: string[];
  /** Bytes the client sent after the request head (base64); normally none, as a client waits for the 101. */
  head: string;
}

export const isUpgradeHandoff = (msg: unknown): msg is UpgradeHandoff =>
  typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'upgrade-handoff';

/** The handed-off request as the http server would have parsed it, for an `upgrade` listener. */
export function handedOffRequest(msg: UpgradeHandoff, socket: Socket): { req: IncomingMessage; head: Buffer } {
  const req = new IncomingMessage(socket);
  req.method = msg.method;
  req.url = msg.url;
  req.httpVersion = '1.1';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.rawHeaders = msg.rawHeaders;
  const headers: Record<string, string> = {};
  for (let i = 0; i < msg.rawHeaders.length; i += 2) {
    const name = msg.rawHeaders[i].toLowerCase();
    headers[name] = name in headers ? `${headers[name]}, ${msg.rawHeaders[i + 1]}` : msg.rawHeaders[i + 1];
  }
  req.headers = headers;
  req.complete = true;
  return { req, head: Buffer.from(msg.head, 'base64') };
}

/** A socket that cannot be handed off (no Realtime running) gets the gateway's answer for a dead upstream. */
export function refuseHandoff(socket: Socket): void {
  const body = JSON.stringify({ message: 'An invalid response was received from the upstream server' });
  socket.end(`HTTP/1.1 502 Bad Gateway\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
}
