// The cluster tests, type generation and benchmarks use: its own folder and port (never the dev database), started
// when needed and stopped again if we started it, so those commands leave the machine as they found it.
import { join } from 'node:path';
import { loadConfig, projectRoot, type StackConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { stopCluster } from './cluster.ts';
import { ensureCluster } from './index.ts';

export function testClusterConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  return loadConfig({
    ...env,
    STACK_STATE_DIR: env.STACK_TEST_STATE_DIR ?? join(projectRoot, '.stack', 'test'),
    STACK_DB_PORT: env.STACK_TEST_DB_PORT ?? '24332',
  });
}

export async function withTestCluster<T>(log: Logger, fn: (cfg: StackConfig) => Promise<T>): Promise<T> {
  const cfg = testClusterConfig();
  const cluster = await ensureCluster(cfg, log);
  try {
    return await fn(cfg);
  } finally {
    if (!cluster.alreadyRunning) stopCluster(cluster.bins, cluster.paths);
  }
}
