// The REST service configured from the environment: REST_PORT (0 = any free port), PGRST_DB_URI or DB_URL (as
// authenticator) and JWT_SECRET, both required.
import type { Logger } from '../log.ts';
import { startRest, type RestServer } from './index.ts';

export function startRestFromEnv(env: NodeJS.ProcessEnv, _log: Logger): Promise<RestServer> {
  const dbUrl = env.PGRST_DB_URI ?? env.DB_URL;
  if (!dbUrl || !env.JWT_SECRET) throw new Error('PGRST_DB_URI (or DB_URL) and JWT_SECRET must be set');
  return startRest({ port: Number(env.REST_PORT ?? 0), dbUrl, jwtSecret: env.JWT_SECRET });
}
