// A `fetch` for the bench's invoking client, over node:http with keep-alive. The harness shares the 2 cores with the
// platform it measures, and Node 20's built-in fetch (undici and web streams) spent about 0.6 ms of CPU per invoke
// in its profile, several times what the request itself costs. supabase-js takes it through its documented
// `global.fetch` option; everything else about functions.invoke stays as a frontend runs it.
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** The part of a Response that supabase-js reads. */
class SmallResponse {
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };

  constructor(
    readonly status: number,
    readonly statusText: string,
    raw: Record<string, string | string[] | undefined>,
    private readonly body: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
    this.headers = {
      get: (name) => {
        const v = raw[name.toLowerCase()];
        return v === undefined ? null : String(v);
      },
    };
  }

  async text(): Promise<string> {
    return this.body.toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.body.toString('utf8'));
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return new Uint8Array(this.body).buffer;
  }
  async blob(): Promise<Blob> {
    return new Blob([new Uint8Array(this.body)]);
  }
}

export function httpFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  const body = init.body == null ? undefined : typeof init.body === 'string' ? init.body : undefined;
  if (init.body != null && body === undefined) throw new TypeError('httpFetch sends string bodies only');
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers, agent, signal: init.signal ?? undefined },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve(
            new SmallResponse(
              res.statusCode ?? 0,
              res.statusMessage ?? '',
              res.headers,
              chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
            ) as unknown as Response,
          ),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
