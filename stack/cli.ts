// The stack's command line, called by the package.json scripts:
//   start               everything up in the foreground (Ctrl-C stops it all), the meeting room page included;
//                       prints the status block and the page's URL
//   stop                stops a running stack (or just its database)
//   status [-o env|json|pretty]
//   db:reset            rebuilds the database from scratch (Supabase schema SQL, migrations, seed)
import { loadConfig } from './config.ts';
import { createLogger, flushLogs } from './log.ts';
import * as db from './postgres/index.ts';
import { formatStatus, statusValues } from './status.ts';
import { runningStack, startStack } from './supervisor.ts';

const log = createLogger('stack');

function outputFormat(args: string[]): string {
  const i = args.findIndex((a) => a === '-o' || a === '--output');
  return i >= 0 ? (args[i + 1] ?? 'pretty') : 'pretty';
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function main(): Promise<number> {
  const [command = 'start', ...args] = process.argv.slice(2);
  const cfg = loadConfig();
  switch (command) {
    case 'start': {
      // Signals are handled from the first moment: a Ctrl-C during start-up stops whatever is already up.
      let stack: Awaited<ReturnType<typeof startStack>> | undefined;
      let stopRequested = false;
      const onSignal = (signal: string) => {
        log.info('stopping', { signal });
        stopRequested = true;
        void stack?.stop();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const started = performance.now();
      stack = await startStack(cfg, log, { web: true });
      if (stopRequested) await stack.stop();
      else {
        log.info('stack is up', { ms: Math.round(performance.now() - started) });
        flushLogs(); // the progress lines first, then the status block
        const values = statusValues(cfg, stack.services);
        console.log(
          `\nmeeting-realtime local development setup is running.\n\n${formatStatus(values, outputFormat(args))}\n`,
        );
        if (values.MEETING_ROOM_URL && outputFormat(args) === 'pretty')
          console.log(`Meeting room URL: ${values.MEETING_ROOM_URL}`);
        console.log('Press Ctrl-C to stop everything.');
      }
      await stack.stopped;
      log.info('stopped');
      return 0;
    }
    case 'stop': {
      const running = runningStack(cfg);
      if (running) {
        process.kill(running.pid, 'SIGTERM');
        if (!(await waitForExit(running.pid, 20_000)))
          throw new Error(`the stack (pid ${running.pid}) did not stop within 20 s`);
        log.info('stopped', { pid: running.pid });
        return 0;
      }
      await db.down(cfg, log);
      return 0;
    }
    case 'status': {
      const running = runningStack(cfg);
      const dbState = db.status(cfg, log);
      if (!running && !dbState.running) {
        console.error('meeting-realtime local stack is not running. Run: npm start');
        return 1;
      }
      if (!running) console.error('Only the database is running (services stopped). Run: npm start');
      console.log(formatStatus(statusValues(cfg, running?.services ?? []), outputFormat(args)));
      return 0;
    }
    case 'db:reset': {
      if (runningStack(cfg)) throw new Error('stop the running stack first (Ctrl-C or `npm stop`), then reset');
      const res = await db.reset(cfg, log);
      log.info('database reset complete', { ms: res.ms, migrations: res.migrations.length });
      await db.down(cfg, log);
      return 0;
    }
    default:
      console.error(`unknown command ${command}; use start | stop | status [-o env|json] | db:reset`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    log.error(err.message);
    process.exit(1);
  },
);
