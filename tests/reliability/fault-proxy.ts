// A TCP proxy on loopback between some clients and the gateway that can fail the network the way networks fail:
// `cut()` resets every open connection at once (a Wi-Fi hand-over, a NAT dropping state), and `blackhole(ms)` lets
// nothing through for a while — open connections stall (their bytes wait, as unacknowledged segments would) and new
// ones hang before they reach the gateway — then traffic flows again. No bytes are altered or reordered: TCP never
// does that, so neither does the proxy.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export class FaultProxy {
  private pairs = new Set<[Socket, Socket]>();
  private held: Socket[] = [];
  private blackholeUntil = 0;
  private healTimer: ReturnType<typeof setTimeout> | undefined;
  /** Connections accepted, connections reset by cut(). */
  readonly counts = { accepted: 0, reset: 0 };

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(targetPort: number, host = '127.0.0.1'): Promise<FaultProxy> {
    let proxy: FaultProxy | undefined;
    const server = createServer({ pauseOnConnect: true }, (socket) => proxy!.accept(socket));
    proxy = new FaultProxy(server, { host, port: targetPort });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get blackholed(): boolean {
    return Date.now() < this.blackholeUntil;
  }

  private accept(client: Socket): void {
    this.counts.accepted++;
    client.on('error', () => {});
    if (this.blackholed) this.held.push(client);
    else this.forward(client);
  }

  private forward(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      upstream.destroy();
      this.pairs.delete(pair);
    });
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  /** Resets every open connection (both ends see it at once). */
  cut(): void {
    for (const [client, upstream] of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
      this.counts.reset++;
    }
    this.pairs.clear();
  }

  /** Nothing passes for `ms`: open connections stall, new ones wait unanswered; then all flows again. */
  blackhole(ms: number): Promise<void> {
    this.blackholeUntil = Date.now() + ms;
    // Unpiped, not just paused: a pipe resumes its source whenever the other side drains.
    for (const [client, upstream] of this.pairs) {
      client.unpipe();
      upstream.unpipe();
      client.pause();
      upstream.pause();
    }
    return new Promise((resolve) => {
      this.healTimer = setTimeout(() => {
        this.blackholeUntil = 0;
        for (const [client, upstream] of this.pairs) {
          client.pipe(upstream);
          upstream.pipe(client);
        }
        for (const client of this.held.splice(0)) if (!client.destroyed) this.forward(client);
        resolve();
      }, ms);
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.healTimer);
    this.cut();
    for (const client of this.held.splice(0)) client.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
