// Structured logs for the local stack: one JSON object per line on stderr when STACK_LOG=json (or not a TTY
// and STACK_LOG unset in CI), otherwise a short human line. Progress lines carry `step` so long operations show
// where they are.

type Level = 'debug' | 'info' | 'warn' | 'error';
const levels: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = levels[(process.env.STACK_LOG_LEVEL as Level) ?? 'info'] ?? 20;
const json = process.env.STACK_LOG === 'json';

// Lines are collected and written together every 20 ms (at once for warnings and errors, and at exit): under load a
// write per line to a pipe or terminal costs more than the request it describes (a syscall and a wake-up of the
// reader each), and the platform logs a line per request.
const FLUSH_MS = 20;
let pending = '';
let flushTimer: NodeJS.Timeout | undefined;

/** Writes the collected lines now (before printing something they should precede). */
export function flushLogs(): void {
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = undefined;
  if (!pending) return;
  const out = pending;
  pending = '';
  process.stderr.write(out);
}
process.on('exit', flushLogs);

function emit(line: string, urgent: boolean): void {
  pending += line;
  if (urgent || pending.length > 64 * 1024) flushLogs();
  else flushTimer ??= setTimeout(flushLogs, FLUSH_MS).unref();
}

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
    const urgent = levels[level] >= levels.warn;
    if (json) {
      emit(JSON.stringify({ ts: new Date().toISOString(), level, service, msg, ...fields }) + '\n', urgent);
      return;
    }
    const extra = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const tag = level === 'info' ? '' : `${level.toUpperCase()} `;
    emit(`[${service}] ${tag}${msg}${extra ? ' ' + extra : ''}\n`, urgent);
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
