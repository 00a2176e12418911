// One server process of the benchmark, chosen by argv: `realtime` (this server), `ws` (a bare ws broadcast loop:
// the floor any WebSocket fan-out pays) or `socketio` (Socket.IO rooms). It answers the harness over IPC with its
// own CPU time and memory, so the numbers are the server's alone, not the load generator's.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { Server as SocketIOServer } from 'socket.io';
import { demoKeys } from '../../config.ts';
import { createLogger } from '../../log.ts';
import { startRealtime } from '../index.ts';

const [kind, dbUrl] = process.argv.slice(2);
// The harness ends a server with SIGTERM: exit normally, so a --cpu-prof (STACK_NODE_ARGS) profile is written.
process.on('SIGTERM', () => process.exit(0));

async function startWs(): Promise<number> {
  // Rooms by the first text frame `join:<room>`; every later frame goes to the room's other sockets as is.
  const rooms = new Map<string, Set<WebSocket>>();
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  wss.on('connection', (ws) => {
    let room: Set<WebSocket> | undefined;
    ws.on('message', (data: Buffer, isBinary) => {
      if (!room) {
        const name = data.toString().slice(5);
        if (!rooms.has(name)) rooms.set(name, new Set());
        room = rooms.get(name)!;
        room.add(ws);
        ws.send('joined');
        return;
      }
      for (const peer of room) if (peer !== ws) peer.send(data, { binary: isBinary });
    });
    ws.on('close', () => room?.delete(ws));
  });
  await new Promise((r) => wss.once('listening', r));
  return (wss.address() as AddressInfo).port;
}

async function startSocketIo(): Promise<number> {
  const http = createServer();
  const io = new SocketIOServer(http, { transports: ['websocket'], perMessageDeflate: false });
  io.on('connection', (socket) => {
    socket.on('join', (room: string, ack: () => void) => {
      void socket.join(room);
      ack();
    });
    socket.on('msg', (room: string, data: unknown) => socket.to(room).emit('msg', data));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  return (http.address() as AddressInfo).port;
}

async function startOurs(): Promise<number> {
  const server = await startRealtime({
    jwtSecret: demoKeys.jwtSecret,
    dbUrl,
    dbBroadcast: false,
    postgresChanges: false,
    channelErrorBackoffMs: 0,
    connectErrorBackoffMs: 0,
    idleTimeoutMs: 600_000,
    limits: {
      maxConcurrentUsers: 1e9,
      maxEventsPerSecond: 1e12,
      maxJoinsPerSecond: 1e9,
      maxChannelsPerClient: 1e6,
      maxPresenceEventsPerSecond: 1e9,
    },
    log: { ...createLogger('bench-realtime'), info: () => {} },
  });
  return server.port;
}

const port = kind === 'ws' ? await startWs() : kind === 'socketio' ? await startSocketIo() : await startOurs();
process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'stats') {
    (globalThis as { gc?: () => void }).gc?.();
    const cpu = process.cpuUsage();
    process.send!({ cpu: cpu.user + cpu.system, rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed });
  }
});
process.send!({ port });
