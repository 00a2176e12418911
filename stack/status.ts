// What `supabase status` prints, for the services this stack runs: the env form (`-o env`, keys sorted,
// NAME="value"), JSON, and the pretty tables; the meeting room page sits where `supabase status` puts Studio.
import { apiUrl, dbUrl, demoKeys, type StackConfig, webUrl } from './config.ts';

export function statusValues(cfg: StackConfig, services: string[]): Record<string, string> {
  const api = apiUrl(cfg);
  const values: Record<string, string> = { DB_URL: dbUrl(cfg, { sslmode: false }) };
  if (services.includes('gateway')) values.API_URL = api;
  if (services.includes('rest')) {
    values.REST_URL = `${api}/rest/v1`;
    values.GRAPHQL_URL = `${api}/graphql/v1`;
  }
  if (services.includes('functions')) values.FUNCTIONS_URL = `${api}/functions/v1`;
  if (services.includes('web')) values.MEETING_ROOM_URL = webUrl(cfg);
  if (services.includes('realtime')) values.REALTIME_URL = `${api.replace(/^http/, 'ws')}/realtime/v1`;
  if (services.includes('auth')) {
    Object.assign(values, {
      ANON_KEY: demoKeys.anonKey,
      SERVICE_ROLE_KEY: demoKeys.serviceRoleKey,
      JWT_SECRET: demoKeys.jwtSecret,
      PUBLISHABLE_KEY: demoKeys.publishableKey,
      SECRET_KEY: demoKeys.secretKey,
    });
  }
  return values;
}

function table(title: string, rows: [string, string | undefined][]): string {
  const present = rows.filter((r): r is [string, string] => Boolean(r[1]));
  if (present.length === 0) return '';
  const w1 = Math.max(...present.map(([k]) => k.length));
  const w2 = Math.max(...present.map(([, v]) => v.length), title.length - w1 - 3);
  const line = (l: string, m: string, r: string) => `${l}${'─'.repeat(w1 + 2)}${m}${'─'.repeat(w2 + 2)}${r}`;
  return [
    `╭${'─'.repeat(w1 + w2 + 5)}╮`,
    `│ ${title.padEnd(w1 + w2 + 3)} │`,
    line('├', '┬', '┤'),
    ...present.map(([k, v]) => `│ ${k.padEnd(w1)} │ ${v.padEnd(w2)} │`),
    line('╰', '┴', '╯'),
  ].join('\n');
}

export function formatStatus(values: Record<string, string>, format: string): string {
  if (format === 'env')
    return Object.keys(values)
      .sort()
      .map((k) => `${k}="${values[k]}"`)
      .join('\n');
  if (format === 'json') return JSON.stringify(values, null, 2);
  return [
    table('🌐 APIs', [
      ['Project URL', values.API_URL],
      ['REST', values.REST_URL],
      ['GraphQL', values.GRAPHQL_URL],
      ['Edge Functions', values.FUNCTIONS_URL],
      ['Realtime', values.REALTIME_URL],
    ]),
    table('🔧 Development Tools', [['Meeting room', values.MEETING_ROOM_URL]]),
    table('⛁ Database', [['URL', values.DB_URL]]),
    table('🔑 Authentication Keys', [
      ['Publishable', values.PUBLISHABLE_KEY],
      ['Secret', values.SECRET_KEY],
    ]),
    table('🔑 Legacy JWT keys (public local demo values)', [
      ['anon', values.ANON_KEY],
      ['service_role', values.SERVICE_ROLE_KEY],
      ['JWT secret', values.JWT_SECRET],
    ]),
  ]
    .filter(Boolean)
    .join('\n');
}
