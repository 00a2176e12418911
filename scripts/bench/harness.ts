// What the benches on the full local platform share: an isolated stack (stack/testing's test stack on ports of its
// own, never the dev stack's, removed when the bench ends), supabase-js clients acting as given users, and percentiles.
import type { SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { apiUrl, type StackConfig } from '../../stack/config.ts';
import { testClient } from '../../stack/testing/clients.ts';
import { startTestStack, type TestStack } from '../../stack/testing/stack.ts';
import { userToken } from '../../stack/testing/tokens.ts';
import { httpFetch } from './http-fetch.ts';

/**
 * The whole platform (Postgres with the project's migrations and seed, Realtime, Auth, REST, functions, gateway) on
 * ports 28321/28322. Upstream's tenant limits (events and channel joins per second) are lifted: a bench measures
 * delivery, not the limits. Its `cfg.stateDir` is how cpu.ts finds the cluster's processes.
 */
export async function startBenchStack(): Promise<TestStack> {
  process.env.TENANT_MAX_EVENTS_PER_SECOND ??= '1000000';
  process.env.TENANT_MAX_JOINS_PER_SECOND ??= '1000000';
  return startTestStack('bench-stack', 28321);
}

/** A supabase-js client as a frontend holds it, acting as `userId` (a JWT signed with the stack's secret). */
export function benchClient(cfg: StackConfig, userId: string): SupabaseClient {
  return testClient(apiUrl(cfg), {
    token: () => userToken(userId),
    fetch: httpFetch,
    // The ws package rather than Node 20's experimental WebSocket: many receivers share the 2 cores with the
    // platform, and the harness's own cost per delivery should be as small as a client's can be.
    realtime: { transport: WebSocket as never },
  });
}

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
export const ms = (x: number) => `${x.toFixed(2)} ms`;
