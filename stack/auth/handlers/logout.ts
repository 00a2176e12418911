// POST /logout?scope=global|local|others: ends sessions; their refresh tokens go with them. Access tokens already
// issued stay valid for data access until they expire (PostgREST never looks at auth.sessions).
import type { AuthContext } from '../context.ts';
import { transaction } from '../db.ts';
import { fail } from '../errors.ts';
import { requireUser } from '../guard.ts';
import type { Handler } from '../http.ts';
import { endSessions, type LogoutScope } from '../sessions.ts';

const scopes: LogoutScope[] = ['global', 'local', 'others'];

export function logoutHandler(ctx: AuthContext): Handler {
  return async (req) => {
    const { user, sessionId } = await requireUser(ctx.sql, req, ctx.cfg, ctx.keys);
    const scope = req.query.get('scope') ?? 'global';
    if (!scopes.includes(scope as LogoutScope)) throw fail.validation(`Unsupported logout scope "${scope}"`);
    await transaction(ctx.sql, (tx) => endSessions(tx, user.id, scope as LogoutScope, sessionId));
    return { status: 204 };
  };
}
