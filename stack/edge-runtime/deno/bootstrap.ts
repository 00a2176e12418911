// Runs one Supabase edge function in its own Deno process, the way edge-runtime runs a user worker: the module
// calls `Deno.serve(handler)` (or exports `default { fetch }`); we capture the handler instead of letting it bind a
// port of its own, serve it on an ephemeral loopback port, and print that port as the first stdout line.
// A handler that throws answers edge-runtime's WORKER_ERROR body rather than Deno's plain-text 500.
type Handler = (request: Request, info?: unknown) => Response | Promise<Response>;

// `EdgeRuntime.waitUntil(promise)` keeps the worker until the promise settles, and a worker about to be retired gets
// `beforeunload` first, as in Supabase's edge runtime: work after the reply (recording broadcast outcomes, say) is
// not cut off by a hot reload or `npm stop`. Retiring waits at most 1.5 s (the runtime kills after 2 s).
const pendingWork = new Set<Promise<unknown>>();
Object.defineProperty(globalThis, 'EdgeRuntime', {
  value: {
    waitUntil(promise: Promise<unknown>) {
      const tracked = Promise.resolve(promise).finally(() => pendingWork.delete(tracked));
      pendingWork.add(tracked);
    },
  },
  configurable: true,
});
let retiring = false;
async function retire(): Promise<never> {
  if (!retiring) {
    retiring = true;
    globalThis.dispatchEvent(new Event('beforeunload'));
    const deadline = new Promise((resolve) => setTimeout(resolve, 1500));
    await Promise.race([Promise.allSettled([...pendingWork]), deadline]);
  }
  Deno.exit(0);
}
Deno.addSignalListener('SIGTERM', () => void retire());

// The runtime keeps our stdin open while it lives: EOF means it is gone (even killed outright), and so do we.
void (async () => {
  try {
    for await (const _chunk of Deno.stdin.readable) {
      /* the runtime never writes */
    }
  } finally {
    await retire();
  }
})();

const realServe = Deno.serve;
let captured: Handler | undefined;

function captureServe(...args: unknown[]) {
  const fn = args.find((a) => typeof a === 'function') as Handler | undefined;
  const opts = args.find((a) => a && typeof a === 'object') as { handler?: Handler } | undefined;
  captured = fn ?? opts?.handler;
  // What Deno.serve returns, enough for modules that await `finished` or call `shutdown()`.
  return {
    finished: new Promise<void>(() => {}),
    shutdown: async () => {},
    ref() {},
    unref() {},
    addr: { hostname: '127.0.0.1', port: 0, transport: 'tcp' },
  };
}
Object.defineProperty(Deno, 'serve', { value: captureServe, configurable: true, writable: true });

const entrypoint = Deno.args[0];
const module = await import(entrypoint);
const handler: Handler | undefined = captured ?? module.default?.fetch?.bind(module.default);
if (!handler) {
  console.error(`${entrypoint} neither calls Deno.serve(handler) nor exports default { fetch }`);
  Deno.exit(3);
}

const workerError = () =>
  new Response(
    JSON.stringify({ code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' }),
    { status: 500, headers: { 'content-type': 'application/json' } },
  );

realServe(
  {
    hostname: '127.0.0.1',
    port: 0,
    onListen: ({ port }) => console.log(JSON.stringify({ ready: true, port })),
  },
  async (request, info) => {
    try {
      const response = await handler(request, info);
      if (!(response instanceof Response)) {
        console.error('the function returned something that is not a Response');
        return workerError();
      }
      return response;
    } catch (err) {
      console.error('uncaught error in the function:', err);
      return workerError();
    }
  },
);
