// The one place that decides ports, folders and keys for the local stack. Defaults are `supabase start`'s;
// every value can be overridden through the environment so tests can run isolated stacks side by side.
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The public demo values every `supabase start` prints; safe to print, never use them in production. */
export const demoKeys = {
  jwtSecret: 'super-secret-jwt-token-with-at-least-32-characters-long',
  anonKey:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0',
  serviceRoleKey:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU',
  publishableKey: 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH',
  secretKey: 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz',
} as const;

export interface StackConfig {
  /** Folder holding every service's runtime state (git-ignored). */
  stateDir: string;
  dbPort: number;
  apiPort: number;
  dbPassword: string;
  /** Folder holding `supabase/` (config.toml, migrations, seed) that the CLI applies. */
  workdir: string;
  /** Loopback ports of the services behind the gateway (fixed, so a restarted service keeps its address). */
  servicePorts: { realtime: number; auth: number; rest: number; functions: number };
  /** The meeting room page (stack/web): API port + 9, 54330 by default (a port `supabase start` leaves free). */
  webPort: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  return {
    stateDir: resolve(env.STACK_STATE_DIR ?? join(projectRoot, '.stack')),
    dbPort: Number(env.STACK_DB_PORT ?? 54322),
    apiPort: Number(env.STACK_API_PORT ?? 54321),
    dbPassword: 'postgres',
    workdir: resolve(env.STACK_WORKDIR ?? projectRoot),
    servicePorts: servicePorts(env, Number(env.STACK_API_PORT ?? 54321)),
    webPort: Number(env.STACK_WEB_PORT ?? Number(env.STACK_API_PORT ?? 54321) + 9),
  };
}

/**
 * Internal ports default to fixed offsets from the API port minus 30000 (24380, 24391-24393 for the default 54321):
 * below Linux's ephemeral range (32768-60999), so no outgoing connection (the services' own, to Postgres, made while
 * they start) can hold one of them when its service binds it.
 */
function servicePorts(env: NodeJS.ProcessEnv, apiPort: number): StackConfig['servicePorts'] {
  const base = apiPort - 30_000 >= 1024 ? apiPort - 30_000 : apiPort;
  return {
    realtime: Number(env.STACK_REALTIME_PORT ?? base + 59),
    auth: Number(env.STACK_AUTH_PORT ?? base + 70),
    rest: Number(env.STACK_REST_PORT ?? base + 71),
    functions: Number(env.STACK_FUNCTIONS_PORT ?? base + 72),
  };
}

/** postgresql:// URL for a role and database on the local cluster (sslmode=disable: the CLI needs it). */
export function dbUrl(cfg: StackConfig, opts: { user?: string; database?: string; sslmode?: boolean } = {}): string {
  const user = opts.user ?? 'postgres';
  const database = opts.database ?? 'postgres';
  const url = `postgresql://${user}:${cfg.dbPassword}@127.0.0.1:${cfg.dbPort}/${database}`;
  return opts.sslmode === false ? url : `${url}?sslmode=disable`;
}

export function apiUrl(cfg: StackConfig): string {
  return `http://127.0.0.1:${cfg.apiPort}`;
}

export function webUrl(cfg: StackConfig): string {
  return `http://127.0.0.1:${cfg.webPort}`;
}

/** Short stable id for a path, used to name fallback folders outside the project. */
export function pathId(path: string): string {
  return createHash('sha256').update(path).digest('hex').slice(0, 12);
}

/**
 * Extra command-line flags from an environment variable, space-separated (`STACK_NODE_ARGS` for the Node processes
 * of the platform and the Realtime bench, `FUNCTIONS_DENO_ARGS` for the Deno workers): how a profiler is switched on.
 */
export function flagsFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return env[name]?.split(' ').filter(Boolean) ?? [];
}
