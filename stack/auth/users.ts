// auth.users and auth.identities, written the way GoTrue writes them: the token columns GoTrue scans into Go strings
// are '' (never NULL), instance_id is the nil uuid, role/aud are the configured defaults, and every change to a
// user row also bumps updated_at (GoTrue's ORM does so on every update). Reads tolerate rows seeded by hand.
import { createHash, randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import type { Db } from './db.ts';
import { nilUuid } from './validation.ts';

export type Json = Record<string, unknown>;

export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  confirmation_sent_at: Date | null;
  confirmed_at: Date | null;
  recovery_sent_at: Date | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  phone_change: string | null;
  phone_change_sent_at: Date | null;
  reauthentication_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Json | null;
  raw_user_meta_data: Json | null;
  created_at: Date | null;
  updated_at: Date | null;
  banned_until: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
}

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Json;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  email: string | null;
}

/** A jsonb parameter: postgres.js serialises it once (a pre-stringified value would be stored as a JSON string). */
const jsonb = (db: Db, value: Json) => db.json(value as postgres.JSONValue);

/**
 * GoTrue's metadata merge, done in SQL so it applies to the row as it is now: each given key replaces the stored
 * one, a key given as null is deleted, keys not given stay.
 */
const merged = (db: Db, column: 'raw_user_meta_data' | 'raw_app_meta_data' | 'identity_data', updates: Json) => db`
  (coalesce(${db(column)}, '{}'::jsonb) || ${jsonb(db, updates)}::jsonb)
    - array(select key from jsonb_each(${jsonb(db, updates)}::jsonb) where jsonb_typeof(value) = 'null')`;

export async function findUserById(
  db: Db,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<UserRow | undefined> {
  const rows = opts.forUpdate
    ? await db<UserRow[]>`select * from auth.users where id = ${id} for update`
    : await db<UserRow[]>`select * from auth.users where id = ${id}`;
  return rows[0];
}

/** The password sign-in lookup: lower-cased email within the audience, SSO users excluded. */
export async function findUserByEmail(db: Db, email: string, aud: string): Promise<UserRow | undefined> {
  const rows = await db<UserRow[]>`
    select * from auth.users where lower(email) = ${email.toLowerCase()} and aud = ${aud} and not is_sso_user
    order by created_at limit 1`;
  return rows[0];
}

/** Whether another user of the audience already owns this email, on the user row or through an identity. */
export async function emailOwner(
  db: Db,
  email: string,
  aud: string,
  exceptUserId: string | null = null,
): Promise<string | undefined> {
  const rows = await db<{ id: string }[]>`
    select u.id from auth.users u
    where u.aud = ${aud} and u.id is distinct from ${exceptUserId}::uuid
      and ((lower(u.email) = ${email} and not u.is_sso_user)
           or exists (select 1 from auth.identities i where i.user_id = u.id and i.email = ${email}))
    limit 1`;
  return rows[0]?.id;
}

export async function phoneOwner(
  db: Db,
  phone: string,
  aud: string,
  exceptUserId: string | null = null,
): Promise<string | undefined> {
  const rows = await db<{ id: string }[]>`
    select id from auth.users where phone = ${phone} and aud = ${aud} and not is_sso_user
      and id is distinct from ${exceptUserId}::uuid
    limit 1`;
  return rows[0]?.id;
}

export async function identitiesOf(db: Db, userId: string): Promise<IdentityRow[]> {
  return db<IdentityRow[]>`select * from auth.identities where user_id = ${userId} order by created_at, id`;
}

export interface NewUser {
  /** A caller-chosen id (admin API); random otherwise. */
  id?: string;
  email: string | null;
  phone: string | null;
  /** '' for users without a password (anonymous users), as GoTrue stores it. */
  encryptedPassword: string;
  aud: string;
  role: string;
  appMetadata: Json;
  userMetadata: Json;
  isAnonymous: boolean;
}

/**
 * Inserts the row; the project's AFTER INSERT triggers (public.profiles) see exactly these values. GoTrue inserts
 * the provider blob as app_metadata and merges caller-supplied app_metadata in a later UPDATE, so callers do too.
 */
export async function insertUser(db: Db, u: NewUser): Promise<string> {
  const id = u.id ?? randomUUID();
  await db`
    insert into auth.users (
      instance_id, id, aud, role, email, encrypted_password, phone,
      confirmation_token, recovery_token, email_change_token_new, email_change, email_change_token_current,
      phone_change, phone_change_token, reauthentication_token,
      raw_app_meta_data, raw_user_meta_data, is_sso_user, is_anonymous, created_at, updated_at
    ) values (
      ${nilUuid}, ${id}, ${u.aud}, ${u.role}, ${u.email}, ${u.encryptedPassword}, ${u.phone},
      '', '', '', '', '', '', '', '',
      ${jsonb(db, u.appMetadata)}, ${jsonb(db, u.userMetadata)}, false, ${u.isAnonymous}, now(), now()
    )`;
  return id;
}

/** The identity GoTrue creates for the email or phone provider: provider_id is the user id. */
export async function insertIdentity(db: Db, userId: string, provider: 'email' | 'phone', data: Json): Promise<void> {
  await db`
    insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${randomUUID()}, ${userId}, ${userId}, ${jsonb(db, data)}, ${provider}, now(), now(), now())`;
}

/** Merges into the identity of that provider; false when the user has none. */
export async function mergeIdentityData(db: Db, userId: string, provider: string, updates: Json): Promise<boolean> {
  const rows = await db`
    update auth.identities set identity_data = ${merged(db, 'identity_data', updates)}, updated_at = now()
    where user_id = ${userId} and provider = ${provider} returning id`;
  return rows.length > 0;
}

export async function mergeUserMetadata(db: Db, userId: string, updates: Json): Promise<void> {
  await db`update auth.users set raw_user_meta_data = ${merged(db, 'raw_user_meta_data', updates)}, updated_at = now()
    where id = ${userId}`;
}

export async function mergeAppMetadata(db: Db, userId: string, updates: Json): Promise<void> {
  await db`update auth.users set raw_app_meta_data = ${merged(db, 'raw_app_meta_data', updates)}, updated_at = now()
    where id = ${userId}`;
}

/** GoTrue's Confirm: email_confirmed_at now and `email_verified: true` merged into user_metadata. */
export async function confirmEmail(db: Db, userId: string): Promise<void> {
  await db`update auth.users set confirmation_token = '', email_confirmed_at = now(), updated_at = now() where id = ${userId}`;
  await mergeUserMetadata(db, userId, { email_verified: true });
}

/** app_metadata.provider/providers follow the identities the user has, as GoTrue's UpdateAppMetaDataProviders. */
export async function refreshProviders(db: Db, userId: string): Promise<void> {
  const rows = await db<{ provider: string }[]>`
    select provider from auth.identities where user_id = ${userId} group by provider order by min(created_at), provider`;
  const providers = rows.map((r) => r.provider);
  await mergeAppMetadata(db, userId, providers.length ? { provider: providers[0], providers } : { providers });
}

export async function confirmPhone(db: Db, userId: string): Promise<void> {
  await db`update auth.users set confirmation_token = '', phone_confirmed_at = now(), updated_at = now() where id = ${userId}`;
}

export async function setRole(db: Db, userId: string, role: string): Promise<void> {
  await db`update auth.users set role = ${role.trim()}, updated_at = now() where id = ${userId}`;
}

export async function setEmail(db: Db, userId: string, email: string): Promise<void> {
  await db`update auth.users set email = ${email}, updated_at = now() where id = ${userId}`;
}

export async function setPhone(db: Db, userId: string, phone: string): Promise<void> {
  await db`update auth.users set phone = ${phone}, updated_at = now() where id = ${userId}`;
}

/** A password change also voids every pending emailed/texted token, as GoTrue's UpdatePassword does. */
export async function setPassword(db: Db, userId: string, encryptedPassword: string): Promise<void> {
  await db`
    update auth.users set encrypted_password = ${encryptedPassword},
      confirmation_token = '', confirmation_sent_at = null, recovery_token = '', recovery_sent_at = null,
      email_change_token_current = '', email_change_token_new = '', email_change_sent_at = null,
      phone_change_token = '', phone_change_sent_at = null, reauthentication_token = '', reauthentication_sent_at = null,
      updated_at = now()
    where id = ${userId}`;
}

/** A pending email change (the address waits for a confirmation this stand-in never mails). */
export async function setPendingEmail(db: Db, userId: string, email: string): Promise<void> {
  await db`update auth.users set email_change = ${email}, email_change_sent_at = now(), updated_at = now() where id = ${userId}`;
}

/** An anonymous user who adds an email becomes a permanent one (mailer autoconfirm, as locally). */
export async function makePermanent(db: Db, userId: string): Promise<void> {
  await db`update auth.users set is_anonymous = false, updated_at = now() where id = ${userId}`;
}

export async function setBannedUntil(db: Db, userId: string, until: Date | null): Promise<void> {
  await db`update auth.users set banned_until = ${until}, updated_at = now() where id = ${userId}`;
}

export async function touchLastSignIn(db: Db, userId: string): Promise<void> {
  await db`update auth.users set last_sign_in_at = now(), updated_at = now() where id = ${userId}`;
}

export async function deleteUser(db: Db, userId: string): Promise<void> {
  await db`delete from auth.users where id = ${userId}`;
}

export interface UserPage {
  users: UserRow[];
  total: number;
}

/** Newest first; `filter` matches email (LIKE) or user_metadata.full_name (ILIKE), as GoTrue's admin list does. */
export async function listUsers(db: Db, aud: string, page: number, perPage: number, filter: string): Promise<UserPage> {
  const pattern = `%${filter}%`;
  const where = filter
    ? db`aud = ${aud} and (email like ${pattern} or raw_user_meta_data->>'full_name' ilike ${pattern})`
    : db`aud = ${aud}`;
  const [{ total }] = await db<{ total: number }[]>`select count(*)::int as total from auth.users where ${where}`;
  const users = await db<UserRow[]>`
    select * from auth.users where ${where} order by created_at desc, id limit ${perPage}
    offset ${Math.min((page - 1) * perPage, Number.MAX_SAFE_INTEGER)}`;
  return { users, total };
}

// GoTrue's soft delete keeps the row but makes its email/phone unusable: sha256(id + value), base64url.
const obfuscate = (id: string, value: string) =>
  createHash('sha256')
    .update(id + value)
    .digest('base64url');

/** Soft delete: identifiers obfuscated, password and tokens cleared, metadata emptied, deleted_at set. */
export async function softDeleteUser(db: Db, user: UserRow): Promise<void> {
  await db`
    update auth.users set
      email = ${obfuscate(user.id, user.email ?? '')},
      phone = ${obfuscate(user.id, user.phone ?? '').slice(0, 15)},
      email_change = ${obfuscate(user.id, user.email_change ?? '')},
      phone_change = ${obfuscate(user.id, user.phone_change ?? '').slice(0, 15)},
      encrypted_password = null, confirmation_token = '', recovery_token = '', email_change_token_current = '',
      email_change_token_new = '', phone_change_token = '', raw_user_meta_data = '{}', raw_app_meta_data = '{}',
      deleted_at = now(), updated_at = now()
    where id = ${user.id}`;
  for (const identity of await identitiesOf(db, user.id)) {
    await db`
      update auth.identities set identity_data = '{}',
        provider_id = ${obfuscate(user.id, `${identity.provider}:${identity.provider_id}`)}, updated_at = now()
      where id = ${identity.id}`;
  }
}

/** Points the user's email/phone identity at `value`, creating the identity when the user has none. */
export async function upsertIdentity(
  db: Db,
  userId: string,
  provider: 'email' | 'phone',
  value: string,
): Promise<void> {
  const claims: Json = provider === 'email' ? { email: value } : { phone: value };
  if (!(await mergeIdentityData(db, userId, provider, claims))) {
    await insertIdentity(db, userId, provider, {
      sub: userId,
      ...claims,
      email_verified: false,
      phone_verified: false,
    });
  }
}
