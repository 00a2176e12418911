// The User and Identity objects as GoTrue serialises them: key order of its Go structs, optional timestamps left
// out when null, email/phone as "" rather than null, secrets (password hash, tokens) never included.
import type { Db } from './db.ts';
import { fail } from './errors.ts';
import type { Reply } from './http.ts';
import { findUserById, identitiesOf, type IdentityRow, type Json, type UserRow } from './users.ts';

type Wire = Record<string, unknown>;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

/** Copies only defined values, so optional members disappear as Go's `omitempty` makes them. */
function compact(entries: [string, unknown][]): Wire {
  const out: Wire = {};
  for (const [key, value] of entries) if (value !== undefined) out[key] = value;
  return out;
}

export function identityJson(i: IdentityRow): Wire {
  return compact([
    ['identity_id', i.id],
    ['id', i.provider_id],
    ['user_id', i.user_id],
    ['identity_data', i.identity_data ?? undefined],
    ['provider', i.provider],
    ['last_sign_in_at', iso(i.last_sign_in_at)],
    ['created_at', iso(i.created_at)],
    ['updated_at', iso(i.updated_at)],
    ['email', i.email || undefined],
  ]);
}

/**
 * `identities` is an array for single-user responses and null in the admin list, where GoTrue does not load them.
 */
export function userJson(u: UserRow, identities: IdentityRow[] | null): Wire {
  return compact([
    ['id', u.id],
    ['aud', u.aud ?? ''],
    ['role', u.role ?? ''],
    ['email', u.email ?? ''],
    ['email_confirmed_at', iso(u.email_confirmed_at)],
    ['invited_at', iso(u.invited_at)],
    ['phone', u.phone ?? ''],
    ['phone_confirmed_at', iso(u.phone_confirmed_at)],
    ['confirmation_sent_at', iso(u.confirmation_sent_at)],
    ['confirmed_at', iso(u.confirmed_at)],
    ['recovery_sent_at', iso(u.recovery_sent_at)],
    ['new_email', u.email_change || undefined],
    ['email_change_sent_at', iso(u.email_change_sent_at)],
    ['new_phone', u.phone_change || undefined],
    ['phone_change_sent_at', iso(u.phone_change_sent_at)],
    ['reauthentication_sent_at', iso(u.reauthentication_sent_at)],
    ['last_sign_in_at', iso(u.last_sign_in_at)],
    ['app_metadata', u.raw_app_meta_data ?? ({} as Json)],
    ['user_metadata', u.raw_user_meta_data ?? ({} as Json)],
    ['identities', identities ? identities.map(identityJson) : null],
    ['created_at', iso(u.created_at)],
    ['updated_at', iso(u.updated_at)],
    ['banned_until', iso(u.banned_until)],
    ['deleted_at', iso(u.deleted_at)],
    ['is_anonymous', u.is_anonymous],
  ]);
}

/** A 200 with the user as stored now, identities included: the reply of every single-user endpoint. */
export async function userReply(db: Db, userId: string): Promise<Reply> {
  const user = await findUserById(db, userId);
  if (!user) throw fail.userNotFound();
  return { status: 200, body: userJson(user, await identitiesOf(db, userId)) };
}
