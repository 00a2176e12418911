// The keys the gateway derives tokens from (as Kong's key-auth and request-transformer do), from the environment.
import { demoKeys } from '../config.ts';
import type { Keys } from './routes.ts';

export const gatewayKeysFromEnv = (env: NodeJS.ProcessEnv): Keys => ({
  anonKey: env.ANON_KEY ?? demoKeys.anonKey,
  serviceRoleKey: env.SERVICE_ROLE_KEY ?? demoKeys.serviceRoleKey,
  publishableKey: demoKeys.publishableKey,
  secretKey: demoKeys.secretKey,
});
