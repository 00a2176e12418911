// stack/web: the meeting room page (web/) as `npm start` serves it. One job: bind the page's port at once, build the
// page when its sources changed (stack/web/build.ts) and serve the build with a `/config.json` naming the API URL and
// anon key, so the page talks to the gateway of the stack that serves it. Until the build is there, the port answers
// 503; a failed build is logged and answered as a 503 too, and the rest of the stack runs on (the page is a client,
// not a service the others need).
import type { Logger } from '../log.ts';
import type { RunningService } from '../shared/service-main.ts';
import { type BuildMode, ensureWebBuild, type WebBuild } from './build.ts';
import { type PageConfig, startStaticServer } from './server.ts';

export type { PageConfig } from './server.ts';

export interface WebServiceOptions {
  port: number;
  host?: string;
  /** What the page is told to talk to (the gateway) and with which key. */
  config: PageConfig;
  log: Logger;
  /** production (npm start) unless said otherwise; the browser tests serve a development build. */
  mode?: BuildMode;
  buildsDir?: string;
}

export interface WebService extends RunningService {
  url: string;
  /** Resolves when the build is served; rejects (after logging) when it failed. */
  ready: Promise<WebBuild>;
}

export async function startWebService(opts: WebServiceOptions): Promise<WebService> {
  const server = await startStaticServer({ port: opts.port, host: opts.host, config: opts.config });
  const ready = ensureWebBuild(opts.log, { mode: opts.mode, buildsDir: opts.buildsDir }).then(
    (build) => {
      server.serve(build.dir);
      return build;
    },
    (err: Error) => {
      opts.log.error('the meeting room did not build; its URL answers 503 until the next start', {
        error: err.message,
      });
      server.unavailable('the meeting room failed to build: see the npm start log\n');
      throw err;
    },
  );
  ready.catch(() => {}); // reported above; a caller that awaits it sees the error too
  return {
    port: server.port,
    url: `http://${opts.host ?? '127.0.0.1'}:${server.port}`,
    ready,
    close: () => server.close(),
  };
}
