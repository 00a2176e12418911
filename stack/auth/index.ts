// stack/auth: a stand-in for Supabase Auth (GoTrue) that @supabase/supabase-js cannot tell from the real server for
// email/password, refresh, user, sign-out, anonymous sign-in and the admin user API. This file wires the pieces:
// options, database, routes and the HTTP server; each concern lives in its own module.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthContext } from './context.ts';
import { connect } from './db.ts';
import { apiKeyGuard, deriveKeys } from './guard.ts';
import {
  createUserHandler,
  deleteUserHandler,
  getUserByIdHandler,
  listUsersHandler,
  updateUserByIdHandler,
} from './handlers/admin.ts';
import { logoutHandler } from './handlers/logout.ts';
import { healthHandler, jwksHandler, settingsHandler } from './handlers/meta.ts';
import { signupHandler } from './handlers/signup.ts';
import { tokenHandler } from './handlers/token.ts';
import { getUserHandler, updateUserHandler } from './handlers/user.ts';
import { listener, Router } from './http.ts';
import { resolveOptions, type AuthOptions } from './options.ts';

export type { AuthOptions } from './options.ts';

export interface AuthServer {
  port: number;
  /** The HTTP server, for a gateway in the same process to hand requests and upgrades to (stack/host). */
  server: Server;
  close(): Promise<void>;
}

function routes(ctx: AuthContext): Router {
  return new Router()
    .on('GET', '/health', healthHandler(), { open: true })
    .on('GET', '/.well-known/jwks.json', jwksHandler(), { open: true })
    .on('GET', '/settings', settingsHandler(ctx))
    .on('POST', '/signup', signupHandler(ctx))
    .on('POST', '/token', tokenHandler(ctx))
    .on('GET', '/user', getUserHandler(ctx))
    .on('PUT', '/user', updateUserHandler(ctx))
    .on('POST', '/logout', logoutHandler(ctx))
    .on('GET', '/admin/users', listUsersHandler(ctx))
    .on('POST', '/admin/users', createUserHandler(ctx))
    .on('GET', '/admin/users/:id', getUserByIdHandler(ctx))
    .on('PUT', '/admin/users/:id', updateUserByIdHandler(ctx))
    .on('DELETE', '/admin/users/:id', deleteUserHandler(ctx));
}

export async function startAuth(options: AuthOptions): Promise<AuthServer> {
  const cfg = resolveOptions(options);
  const sql = connect(cfg.dbUrl, cfg.dbPoolSize);
  // Fail at start, not on the first sign-in, when the database or the auth schema is not there.
  try {
    await sql`select 1 from auth.users limit 1`;
  } catch (err) {
    await sql.end({ timeout: 1 });
    throw new Error(`auth cannot read auth.users at ${redact(cfg.dbUrl)}: ${(err as Error).message}`);
  }
  const ctx: AuthContext = { sql, cfg, keys: deriveKeys(cfg) };
  const server = createServer(listener(routes(ctx), apiKeyGuard(cfg), cfg.log));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  cfg.log.info('listening', { url: `http://${cfg.host}:${port}`, anonymous_sign_ins: cfg.anonymousSignIns });

  let closing: Promise<void> | undefined;
  return {
    port,
    server,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await sql.end({ timeout: 5 });
      })()),
  };
}

/** The URL without its password, for messages. */
const redact = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
