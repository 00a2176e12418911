// `tsx stack/realtime/main.ts`: Realtime alone as a process, configured by the environment (see env.ts). The
// supervisor runs it inside the host process instead (stack/host). SIGINT/SIGTERM: phx_close to every
// channel, then close.
import { runService } from '../shared/service-main.ts';
import { startRealtimeFromEnv } from './env.ts';

await runService('realtime', (log) => startRealtimeFromEnv(process.env, log));
