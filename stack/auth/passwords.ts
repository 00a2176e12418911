// Password hashing as GoTrue does it: bcrypt, cost 10, `$2a$` prefix, computed in the service (not in SQL: the
// supabase_auth_admin role has no USAGE on the `extensions` schema that holds pgcrypto, on the platform or here).
// Hashes written by pgcrypto's crypt(gen_salt('bf')) in seed.sql verify the same way.
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';

const cost = 10;

export async function hashPassword(password: string): Promise<string> {
  // bcryptjs writes `$2b$` salts; for passwords within 72 bytes `$2a$` is the same algorithm, and it is what Go's
  // x/crypto/bcrypt (GoTrue) writes, so rows look the same as the real server's.
  const salt = (await bcrypt.genSalt(cost)).replace(/^\$2b\$/, '$2a$');
  return bcrypt.hash(password, salt);
}

/** False for a missing/empty hash (anonymous users, users created without a password). */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (!hash || !/^\$2[abxy]\$\d\d\$/.test(hash)) return false;
  return bcrypt.compare(password, hash);
}

export const isBcryptHash = (hash: string) => /^\$2[abxy]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash);

/** What GoTrue stores for an admin-created user without a password: nobody knows it, so nobody signs in with it. */
export const unguessablePassword = () => randomBytes(48).toString('base64url').slice(0, 64);
