// The contract between a service's main.ts and the supervisor: start, tell the parent the port it listens on
// (`{type: 'ready', service, port}` over the fork IPC channel), and close cleanly on SIGTERM/SIGINT.
import { createLogger, flushLogs, type Logger } from '../log.ts';

export interface RunningService {
  port: number;
  close(): Promise<void>;
}

export async function runService(service: string, start: (log: Logger) => Promise<RunningService>): Promise<void> {
  const log = createLogger(service);
  let running: RunningService;
  try {
    running = await start(log);
  } catch (err) {
    log.error('failed to start', { error: (err as Error).message });
    process.exit(1);
  }
  flushLogs(); // the start-up lines before the parent prints anything about us being ready
  process.send?.({ type: 'ready', service, port: running.port });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    await running.close().catch((err: Error) => log.error('close failed', { error: err.message }));
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // The supervisor going away (IPC channel closed) means we go too.
  process.on('disconnect', () => void shutdown('disconnect'));
}
