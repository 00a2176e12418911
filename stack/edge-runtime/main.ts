// `tsx stack/edge-runtime/main.ts`: the functions runtime alone as a process, configured by the environment (see
// env.ts). The supervisor runs it inside the host process instead (stack/host).
import { runService } from '../shared/service-main.ts';
import { startFunctionsFromEnv } from './env.ts';

await runService('functions', (log) => startFunctionsFromEnv(process.env, log));
