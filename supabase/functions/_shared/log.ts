// Structured logs: one JSON object per line, with the function's name; never tokens or message bodies.
export type Fields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export function createLogger(fn: string): Logger {
  const write = (level: string, msg: string, fields: Fields = {}) =>
    console.log(JSON.stringify({ ts: new Date().toISOString(), level, fn, msg, ...fields }));
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
