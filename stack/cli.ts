// The stack's command line: `start`, `stop`, `status [-o env|json]`, `db:reset`. package.json scripts call it.
import { dbUrl, demoKeys, loadConfig, type StackConfig } from './config.ts';
import { createLogger } from './log.ts';
import * as db from './postgres/index.ts';

const log = createLogger('stack');

/** The values `supabase status -o env` prints, for the services that are up. */
function statusValues(cfg: StackConfig): Record<string, string> {
  return {
    DB_URL: dbUrl(cfg, { sslmode: false }),
    JWT_SECRET: demoKeys.jwtSecret,
  };
}

function printStatus(cfg: StackConfig, format: string): void {
  const values = statusValues(cfg);
  if (format === 'env') {
    for (const key of Object.keys(values).sort()) console.log(`${key}="${values[key]}"`);
  } else if (format === 'json') {
    console.log(JSON.stringify(values, null, 2));
  } else {
    const rows: [string, string][] = [['DB URL', values.DB_URL]];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log('\nmeeting-realtime local development setup is running.\n');
    for (const [k, v] of rows) console.log(`  ${k.padStart(width)}: ${v}`);
    console.log('');
  }
}

function outputFormat(args: string[]): string {
  const i = args.findIndex((a) => a === '-o' || a === '--output');
  return i >= 0 ? (args[i + 1] ?? 'pretty') : 'pretty';
}

async function main(): Promise<number> {
  const [command = 'start', ...args] = process.argv.slice(2);
  const cfg = loadConfig();
  switch (command) {
    case 'start': {
      const res = await db.up(cfg, log);
      log.info(res.fresh ? 'cold start complete' : 'warm start complete', { ms: res.ms, migrations: res.migrations.length });
      printStatus(cfg, outputFormat(args));
      return 0;
    }
    case 'stop':
      await db.down(cfg, log);
      return 0;
    case 'status': {
      const s = db.status(cfg, log);
      if (!s.running) {
        console.error('meeting-realtime local stack is not running. Run: npm start');
        return 1;
      }
      printStatus(cfg, outputFormat(args));
      return 0;
    }
    case 'db:reset': {
      const res = await db.reset(cfg, log);
      log.info('database reset complete', { ms: res.ms, migrations: res.migrations.length });
      printStatus(cfg, outputFormat(args));
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
