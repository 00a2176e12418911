// /admin/users: the service-role API behind supabase.auth.admin (createUser, listUsers, getUserById,
// updateUserById, deleteUser). Every route requires a token whose role is an admin role.
import { requestAud, type AuthContext } from '../context.ts';
import { transaction, type Db } from '../db.ts';
import { fail } from '../errors.ts';
import { requireAdmin } from '../guard.ts';
import type { AuthRequest, Handler } from '../http.ts';
import { hashPassword, isBcryptHash, unguessablePassword } from '../passwords.ts';
import { deleteUserRefreshTokens, endSessions } from '../sessions.ts';
import { userJson, userReply } from '../user-json.ts';
import {
  confirmEmail,
  confirmPhone,
  deleteUser,
  emailOwner,
  findUserById,
  insertUser,
  listUsers,
  makePermanent,
  mergeAppMetadata,
  mergeUserMetadata,
  phoneOwner,
  setBannedUntil,
  setEmail,
  setPassword,
  setPhone,
  setRole,
  softDeleteUser,
  upsertIdentity,
  type Json,
  type UserRow,
} from '../users.ts';
import {
  assertPasswordAcceptable,
  assertPasswordLength,
  isUuid,
  nilUuid,
  optBoolean,
  optObject,
  optString,
  parseGoDuration,
  validEmail,
  validName,
  validPhone,
} from '../validation.ts';

/** AdminUserAttributes, validated. `ban` is a ban length in ms, null to lift a ban, undefined to leave it. */
interface AdminParams {
  id?: string;
  aud?: string;
  role?: string;
  email?: string;
  phone?: string;
  password?: string;
  passwordHash?: string;
  emailConfirm: boolean;
  phoneConfirm: boolean;
  userMetadata?: Json;
  appMetadata?: Json;
  ban?: number | null;
}

function readAdminParams(body: Json): AdminParams {
  const email = optString(body, 'email');
  const phone = optString(body, 'phone');
  const banDuration = optString(body, 'ban_duration');
  let ban: number | null | undefined;
  if (banDuration && banDuration !== 'none') {
    ban = parseGoDuration(banDuration);
    if (ban === undefined)
      throw fail.validation(`invalid format for ban duration: time: invalid duration "${banDuration}"`);
  } else if (banDuration === 'none') {
    ban = null;
  }
  return {
    id: optString(body, 'id') || undefined,
    aud: validName(optString(body, 'aud') ?? '', 'aud') || undefined,
    role: validName(optString(body, 'role') ?? '', 'role') || undefined,
    email: email ? validEmail(email) : undefined,
    phone: phone ? validPhone(phone) : undefined,
    password: optString(body, 'password'),
    passwordHash: optString(body, 'password_hash') || undefined,
    emailConfirm: optBoolean(body, 'email_confirm') ?? false,
    phoneConfirm: optBoolean(body, 'phone_confirm') ?? false,
    userMetadata: optObject(body, 'user_metadata'),
    appMetadata: optObject(body, 'app_metadata'),
    ban,
  };
}

const banUntil = (ms: number | null) => (ms === null || ms === 0 ? null : new Date(Date.now() + ms));

/** The user named in the path; a malformed id is GoTrue's 404 validation_failed, an unknown one 404 user_not_found. */
async function pathUser(db: Db, req: AuthRequest): Promise<UserRow> {
  const id = req.params.id;
  if (!isUuid(id)) throw fail.validation('user_id must be an UUID', 404);
  const user = await findUserById(db, id);
  if (!user) throw fail.userNotFound();
  return user;
}

export function listUsersHandler(ctx: AuthContext): Handler {
  return async (req) => {
    requireAdmin(req, ctx.cfg, ctx.keys);
    const page = pageParam(req, 'page', 1);
    const perPage = pageParam(req, 'per_page', 50);
    const aud = requestAud(req, ctx);
    const { users, total } = await listUsers(ctx.sql, aud, page, perPage, req.query.get('filter') ?? '');
    return {
      status: 200,
      // GoTrue's list does not load identities: they come back as null here.
      body: { users: users.map((u) => userJson(u, null)), aud },
      headers: paginationHeaders(req, page, perPage, total),
    };
  };
}

// Go parses the numbers as uint64; past that it is strconv's range error.
const maxUint64 = 2n ** 64n - 1n;

function pageParam(req: AuthRequest, name: string, fallback: number): number {
  const raw = req.query.get(name) ?? '';
  if (raw === '') return fallback;
  const bad = (why: string) =>
    fail.validation(`Bad Pagination Parameters: strconv.ParseUint: parsing "${raw}": ${why}`);
  if (!/^\d+$/.test(raw)) throw bad('invalid syntax');
  if (BigInt(raw) > maxUint64) throw bad('value out of range');
  // Any page past the last one is empty, so a huge number only has to stay an exact integer (and a bigint in SQL).
  return Math.min(Math.max(1, Number(raw)), Number.MAX_SAFE_INTEGER);
}

/**
 * X-Total-Count and a Link header with `next` (when there is one) and `last`. auth-js reads the page number as the
 * first character after the first `=`, so the query keys are sorted as Go's url.Values.Encode sorts them.
 */
function paginationHeaders(req: AuthRequest, page: number, perPage: number, total: number): Record<string, string> {
  const last = Math.ceil(total / perPage);
  const link = (p: number, rel: string) => {
    const query = new URLSearchParams(req.query);
    query.set('per_page', String(perPage));
    query.set('page', String(p));
    query.sort();
    return `<${req.path}?${query}>; rel="${rel}"`;
  };
  const links = last > page ? [link(page + 1, 'next'), link(last, 'last')] : [link(last, 'last')];
  return { link: links.join(', '), 'x-total-count': String(total) };
}

export function getUserByIdHandler(ctx: AuthContext): Handler {
  return async (req) => {
    requireAdmin(req, ctx.cfg, ctx.keys);
    const user = await pathUser(ctx.sql, req);
    return userReply(ctx.sql, user.id);
  };
}

export function createUserHandler(ctx: AuthContext): Handler {
  return async (req) => {
    const { cfg } = ctx;
    requireAdmin(req, cfg, ctx.keys);
    const p = readAdminParams(await req.json());
    const aud = p.aud ?? requestAud(req, ctx);
    if (!p.email && !p.phone) throw fail.validation('Cannot create a user without either an email or phone');
    if (p.id !== undefined && !isUuid(p.id)) throw fail.validation('ID must conform to the uuid v4 format');
    if (p.id === nilUuid) throw fail.validation('ID cannot be a nil uuid');
    if (p.password && p.passwordHash) throw fail.validation('Only a password or a password hash should be provided');
    if (p.passwordHash && !isBcryptHash(p.passwordHash)) throw fail.validation('Invalid password hash format');
    // No strength rules here: the admin API trusts its caller (only the bcrypt length limit applies).
    if (p.password) assertPasswordLength(p.password);
    const providers: string[] = [];
    if (p.email) {
      if (await emailOwner(ctx.sql, p.email, aud)) throw fail.emailExists();
      providers.push('email');
    }
    if (p.phone) {
      if (await phoneOwner(ctx.sql, p.phone, aud))
        throw fail.phoneExists('Phone number already registered by another user');
      providers.push('phone');
    }
    const encryptedPassword = p.passwordHash ?? (await hashPassword(p.password || unguessablePassword()));

    return transaction(ctx.sql, async (tx) => {
      // The row is inserted with the provider blob only; caller app_metadata is merged by a later UPDATE, as
      // GoTrue does (so AFTER INSERT triggers on auth.users do not see it).
      const userId = await insertUser(tx, {
        id: p.id,
        email: p.email ?? null,
        phone: p.phone ?? null,
        encryptedPassword,
        aud,
        role: p.role ?? cfg.defaultRole,
        appMetadata: { provider: providers[0], providers },
        userMetadata: p.userMetadata ?? {},
        isAnonymous: false,
      });
      if (p.email) await upsertIdentity(tx, userId, 'email', p.email);
      if (p.phone) await upsertIdentity(tx, userId, 'phone', p.phone);
      if (p.appMetadata) await mergeAppMetadata(tx, userId, p.appMetadata);
      if (p.emailConfirm) await confirmEmail(tx, userId);
      if (p.phoneConfirm) await confirmPhone(tx, userId);
      if (p.ban !== undefined) await setBannedUntil(tx, userId, banUntil(p.ban));
      return userReply(tx, userId);
    });
  };
}

export function updateUserByIdHandler(ctx: AuthContext): Handler {
  return async (req) => {
    const { cfg } = ctx;
    requireAdmin(req, cfg, ctx.keys);
    const user = await pathUser(ctx.sql, req);
    const p = readAdminParams(await req.json());
    const aud = user.aud ?? cfg.audience;
    if (p.password !== undefined) assertPasswordAcceptable(p.password, cfg);
    if (p.email && (await emailOwner(ctx.sql, p.email, aud, user.id))) throw fail.emailExists();
    if (p.phone && (await phoneOwner(ctx.sql, p.phone, aud, user.id))) {
      throw fail.phoneExists('Phone number already registered by another user');
    }
    const encryptedPassword = p.password ? await hashPassword(p.password) : undefined;

    return transaction(ctx.sql, async (tx) => {
      if (p.role) await setRole(tx, user.id, p.role);
      if (p.emailConfirm) await confirmEmail(tx, user.id);
      if (p.phoneConfirm) await confirmPhone(tx, user.id);
      if (p.password !== undefined) {
        await setPassword(tx, user.id, encryptedPassword ?? '');
        await endSessions(tx, user.id, 'global', null);
      }
      // The admin API sets email and phone directly (no confirmation round), identity included.
      if (p.email) {
        await upsertIdentity(tx, user.id, 'email', p.email);
        await setEmail(tx, user.id, p.email);
      }
      if (p.phone) {
        await upsertIdentity(tx, user.id, 'phone', p.phone);
        await setPhone(tx, user.id, p.phone);
      }
      if (user.is_anonymous && ((p.email && p.emailConfirm) || (p.phone && p.phoneConfirm)))
        await makePermanent(tx, user.id);
      if (p.appMetadata) await mergeAppMetadata(tx, user.id, p.appMetadata);
      if (p.userMetadata) await mergeUserMetadata(tx, user.id, p.userMetadata);
      if (p.ban !== undefined) await setBannedUntil(tx, user.id, banUntil(p.ban));
      return userReply(tx, user.id);
    });
  };
}

export function deleteUserHandler(ctx: AuthContext): Handler {
  return async (req) => {
    requireAdmin(req, ctx.cfg, ctx.keys);
    const user = await pathUser(ctx.sql, req);
    const soft = optBoolean(await req.json(), 'should_soft_delete') ?? false;
    await transaction(ctx.sql, async (tx) => {
      if (!soft) return deleteUser(tx, user.id);
      if (user.deleted_at) return;
      await softDeleteUser(tx, user);
      await endSessions(tx, user.id, 'global', null);
      await deleteUserRefreshTokens(tx, user.id);
    });
    return { status: 200, body: {} };
  };
}
