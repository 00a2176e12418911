// `tsx stack/postgrest/main.ts`: the REST service alone as a process, configured by the environment (see env.ts). The
// supervisor runs it inside the host process instead (stack/host).
import { runService } from '../shared/service-main.ts';
import { startRestFromEnv } from './env.ts';

await runService('rest', (log) => startRestFromEnv(process.env, log));
