// Runnable entry for the supervisor: `REST_PORT` (0 = ephemeral), `DB_URL` (as authenticator), `JWT_SECRET`.
// Under child_process.fork it reports `{type: 'ready', service: 'rest', port}`; SIGTERM / SIGINT (or the parent's
// IPC channel closing) close the server and the pool and exit 0.
import { createLogger } from '../log.ts';
import { startRest } from './index.ts';

const log = createLogger('rest');

async function main(): Promise<void> {
  const dbUrl = process.env.DB_URL;
  const jwtSecret = process.env.JWT_SECRET;
  if (!dbUrl || !jwtSecret) {
    log.error('DB_URL and JWT_SECRET must be set');
    process.exit(2);
  }
  const rest = await startRest({ port: Number(process.env.REST_PORT ?? 0), dbUrl, jwtSecret });
  process.send?.({ type: 'ready', service: 'rest', port: rest.port });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    await rest.close().catch((err: Error) => log.error('close failed', { error: err.message }));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Forked by a supervisor that died without signalling us: don't linger holding the port.
  if (process.send) process.on('disconnect', () => void stop('parent disconnected'));
}

main().catch((err: Error) => {
  log.error('failed to start', { error: err.message });
  process.exit(1);
});
