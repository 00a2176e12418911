// Entry for the supervisor: `node --import tsx stack/functions/main.ts`, configured by the environment.
import { join } from 'node:path';
import { demoKeys, projectRoot } from '../config.ts';
import { runService } from '../shared/service-main.ts';
import { startFunctions } from './index.ts';

const env = process.env;
const gateway = env.SUPABASE_URL ?? 'http://127.0.0.1:54321';

await runService('functions', (log) => startFunctions({
  port: Number(env.FUNCTIONS_PORT ?? 0),
  workdir: env.STACK_WORKDIR ?? projectRoot,
  jwtSecret: env.JWT_SECRET ?? demoKeys.jwtSecret,
  denoDir: env.DENO_DIR ?? join(projectRoot, '.stack', 'deno'),
  allowNet: env.FUNCTIONS_ALLOW_NET?.split(',').map((h) => h.trim()).filter(Boolean),
  requestTimeoutMs: env.FUNCTIONS_REQUEST_TIMEOUT_MS ? Number(env.FUNCTIONS_REQUEST_TIMEOUT_MS) : undefined,
  // What `supabase start` gives every function (SUPABASE_URL points at our gateway, reachable on loopback).
  env: {
    SUPABASE_URL: gateway,
    SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY ?? demoKeys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: env.SUPABASE_SERVICE_ROLE_KEY ?? demoKeys.serviceRoleKey,
    SUPABASE_DB_URL: env.SUPABASE_DB_URL ?? 'postgresql://postgres:postgres@127.0.0.1:54322/postgres',
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: demoKeys.publishableKey }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: demoKeys.secretKey }),
  },
  log,
}));
