// `tsx stack/auth/main.ts`: the Auth service alone as a process, configured by the environment (see env.ts). The
// supervisor runs it inside the host process instead (stack/host).
import { runService } from '../shared/service-main.ts';
import { startAuthFromEnv } from './env.ts';

await runService('auth', (log) => startAuthFromEnv(process.env, log));
