// Structured logs for the local stack: one JSON object per line on stderr when STACK_LOG=json (or not a TTY
// and STACK_LOG unset in CI), otherwise a short human line. Progress lines carry `step` so long operations show
// where they are.

type Level = 'debug' | 'info' | 'warn' | 'error';
const levels: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = levels[(process.env.STACK_LOG_LEVEL as Level) ?? 'info'] ?? 20;
const json = process.env.STACK_LOG === 'json';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(service: string): Logger;
}

export function createLogger(service: string): Logger {
  const write = (level: Level, msg: string, fields: Record<string, unknown> = {}) => {
    if (levels[level] < threshold) return;
    if (json) {
      process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), level, service, msg, ...fields }) + '\n');
      return;
    }
    const extra = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const tag = level === 'info' ? '' : `${level.toUpperCase()} `;
    process.stderr.write(`[${service}] ${tag}${msg}${extra ? ' ' + extra : ''}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (name) => createLogger(`${service}:${name}`),
  };
}

/** Times an async step and logs it with its duration in ms. */
export async function step<T>(log: Logger, name: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  log.info(`${name}…`);
  const result = await fn();
  log.info(`${name} done`, { ms: Math.round(performance.now() - started) });
  return result;
}
