// Structured logs: one JSON object per line, with the function's name; never tokens or message bodies.
// A request logs one line when it ends: what it noted on the way (e.g. the broadcast's counts and latency) rides on
// that line, while warnings and errors are written at once. At hundreds of requests a second every line is a write to
// the runtime's pipe and a wake-up of its reader, so lines are worth saving.
export type Fields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export interface RequestLogger extends Logger {
  /** Writes the request's one line: `msg` and `fields`, with every info noted meanwhile under `notes`. */
  end(msg: string, fields?: Fields): void;
}

const write = (fn: string, level: string, msg: string, fields: Fields = {}) =>
  console.log(JSON.stringify({ ts: new Date().toISOString(), level, fn, msg, ...fields }));

export function createLogger(fn: string): Logger {
  return {
    info: (m, f) => write(fn, 'info', m, f),
    warn: (m, f) => write(fn, 'warn', m, f),
    error: (m, f) => write(fn, 'error', m, f),
  };
}

/** A logger for one request: info is kept for the request's line, warn and error go out at once. */
export function createRequestLogger(fn: string): RequestLogger {
  const notes: Fields[] = [];
  return {
    info: (msg, fields) => void notes.push({ msg, ...fields }),
    warn: (m, f) => write(fn, 'warn', m, f),
    error: (m, f) => write(fn, 'error', m, f),
    end: (msg, fields) => write(fn, 'info', msg, notes.length ? { ...fields, notes } : fields),
  };
}
