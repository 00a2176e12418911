// The functions runtime configured from the environment: FUNCTIONS_PORT, STACK_WORKDIR (the folder holding
// supabase/), JWT_SECRET, DENO_DIR, FUNCTIONS_ALLOW_NET, FUNCTIONS_REQUEST_TIMEOUT_MS, and what every function sees
// (SUPABASE_URL, the keys, SUPABASE_DB_URL), as `supabase start` gives them.
import { join } from 'node:path';
import { demoKeys, projectRoot } from '../config.ts';
import type { Logger } from '../log.ts';
import { startFunctions, type FunctionsServer } from './index.ts';

export function startFunctionsFromEnv(env: NodeJS.ProcessEnv, log: Logger): Promise<FunctionsServer> {
  return startFunctions({
    port: Number(env.FUNCTIONS_PORT ?? 0),
    workdir: env.STACK_WORKDIR ?? projectRoot,
    jwtSecret: env.JWT_SECRET ?? demoKeys.jwtSecret,
    denoDir: env.DENO_DIR ?? join(projectRoot, '.stack', 'deno'),
    allowNet: env.FUNCTIONS_ALLOW_NET?.split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    requestTimeoutMs: env.FUNCTIONS_REQUEST_TIMEOUT_MS ? Number(env.FUNCTIONS_REQUEST_TIMEOUT_MS) : undefined,
    // What `supabase start` gives every function (SUPABASE_URL points at our gateway, reachable on loopback).
    env: {
      SUPABASE_URL: env.SUPABASE_URL ?? 'http://127.0.0.1:54321',
      SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY ?? demoKeys.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: env.SUPABASE_SERVICE_ROLE_KEY ?? demoKeys.serviceRoleKey,
      SUPABASE_DB_URL: env.SUPABASE_DB_URL ?? 'postgresql://postgres:postgres@127.0.0.1:54322/postgres',
      SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: demoKeys.publishableKey }),
      SUPABASE_SECRET_KEYS: JSON.stringify({ default: demoKeys.secretKey }),
    },
    log,
  });
}
