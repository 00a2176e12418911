// Who a fuzz request claims to be. Every identity but `fuzzer` must be refused whatever it sends: forged, expired,
// unsigned (`alg: none`), wrong-role and garbage tokens, a correctly signed token of a user who does not exist, and
// the public keys. A token signed with the real secret is the secret holder's word, so the correctly signed odd
// ones (no exp, role postgres) name the user nobody has: only the badly signed ones name Alice. `fuzzer` is a real user alone in an organization of its own, so a valid request from it can
// only ever touch the fuzz meeting, where the run accounts for what it stores.
import { demoKeys } from '../../../stack/config.ts';
import { signJwt } from '../../../stack/shared/jwt.ts';
import { seedUsers } from '../../../stack/testing/seed.ts';
import { userToken } from '../../../stack/testing/tokens.ts';
import type { Rng } from './random.ts';

export type IdentityName =
  | 'fuzzer'
  | 'ghost'
  | 'forged'
  | 'expired'
  | 'alg-none'
  | 'alg-none-signed'
  | 'alg-hs512'
  | 'role-postgres'
  | 'role-postgres-forged'
  | 'role-supabase_admin-forged'
  | 'role-service_role-forged'
  | 'missing-sub'
  | 'sub-not-uuid'
  | 'missing-exp'
  | 'garbage'
  | 'anon-key'
  | 'publishable-key'
  | 'none';

export interface Identity {
  name: IdentityName;
  /** The token (or key) it presents; undefined for `none`. */
  token?: string;
}

const WRONG_SECRET = 'not-the-secret-but-at-least-thirty-two-characters';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token as Auth would mint it for `sub`, then tampered with as `name` says. */
function tampered(sub: string, claims: Record<string, unknown>, secret: string = demoKeys.jwtSecret): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({ sub, aud: 'authenticated', role: 'authenticated', iat: now, exp: now + 3600, ...claims }, secret);
}

function unsigned(sub: string): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, role: 'authenticated', exp: now + 3600 })}.`;
}

/** Every identity of the run; `fuzzerId` is the fuzz user, `ghostId` a user id nobody has. */
export function identities(fuzzerId: string, ghostId: string): Record<IdentityName, Identity> {
  const alice = seedUsers.alice.id;
  const now = Math.floor(Date.now() / 1000);
  const list: Identity[] = [
    { name: 'fuzzer', token: userToken(fuzzerId) },
    { name: 'ghost', token: userToken(ghostId) },
    { name: 'forged', token: tampered(alice, {}, WRONG_SECRET) },
    { name: 'expired', token: userToken(alice, { expiresIn: -60 }) },
    { name: 'alg-none', token: unsigned(alice) },
    // A valid HS256 signature under a header that claims another algorithm.
    {
      name: 'alg-none-signed',
      token: signJwt({ sub: alice, role: 'authenticated', exp: now + 3600 }, demoKeys.jwtSecret, { alg: 'none' }),
    },
    {
      name: 'alg-hs512',
      token: signJwt({ sub: alice, role: 'authenticated', exp: now + 3600 }, demoKeys.jwtSecret, { alg: 'HS512' }),
    },
    // Correctly signed but naming a role no API caller may take (PostgREST's rule: authenticator is not a member).
    { name: 'role-postgres', token: tampered(ghostId, { role: 'postgres' }) },
    { name: 'role-postgres-forged', token: tampered(alice, { role: 'postgres' }, WRONG_SECRET) },
    { name: 'role-supabase_admin-forged', token: tampered(alice, { role: 'supabase_admin' }, WRONG_SECRET) },
    { name: 'role-service_role-forged', token: tampered(alice, { role: 'service_role' }, WRONG_SECRET) },
    {
      name: 'missing-sub',
      token: signJwt({ role: 'authenticated', aud: 'authenticated', exp: now + 3600 }, demoKeys.jwtSecret),
    },
    { name: 'sub-not-uuid', token: tampered('alice', {}) },
    { name: 'missing-exp', token: signJwt({ sub: ghostId, role: 'authenticated' }, demoKeys.jwtSecret) },
    { name: 'garbage', token: 'garbage' },
    { name: 'anon-key', token: demoKeys.anonKey },
    { name: 'publishable-key', token: demoKeys.publishableKey },
    { name: 'none' },
  ];
  return Object.fromEntries(list.map((i) => [i.name, i])) as Record<IdentityName, Identity>;
}

/** A garbage token of a random kind (bad base64, wrong part count, huge, binary), for the slot a token goes in. */
export function garbageToken(rng: Rng): string {
  return rng.pick<() => string>([
    () => '',
    () => 'a.b.c',
    () => 'a.b',
    () => '....',
    () => `${b64({ alg: 'HS256' })}.${b64([1, 2])}.x`,
    () => `${b64({ alg: 'HS256' })}.${Buffer.from('not json').toString('base64url')}.x`,
    () => `${b64('string')}.${b64({ role: 'authenticated' })}.x`,
    () => 'x'.repeat(rng.pick([1000, 10_000, 60_000])),
    () => rng.bytes(48).toString('base64'),
    () => 'Bearer',
    () => `${b64({ alg: 'HS256' })}.${b64({ role: 'authenticated', exp: 'soon', sub: 42 })}.sig`,
  ])();
}

/** Identities for requests that must never succeed, weighted so the common mistakes come up most. */
export const HOSTILE: readonly IdentityName[] = [
  'ghost',
  'forged',
  'expired',
  'alg-none',
  'alg-none-signed',
  'alg-hs512',
  'role-postgres',
  'role-postgres-forged',
  'role-supabase_admin-forged',
  'role-service_role-forged',
  'missing-sub',
  'sub-not-uuid',
  'missing-exp',
  'garbage',
  'anon-key',
  'publishable-key',
  'none',
];

/**
 * Request headers carrying `identity` the way a client might (or might get wrong): as Authorization, as apikey,
 * both, a lowercase or missing `Bearer`, or a garbage token in its place.
 */
export function authHeaders(rng: Rng, identity: Identity): Record<string, string> {
  const token = identity.token;
  if (token === undefined) return rng.chance(0.5) ? {} : { apikey: demoKeys.anonKey };
  return rng.weighted<() => Record<string, string>>([
    [6, () => ({ apikey: demoKeys.anonKey, Authorization: `Bearer ${token}` })],
    [2, () => ({ apikey: token })],
    [1, () => ({ Authorization: `bearer ${token}` })],
    [1, () => ({ apikey: demoKeys.anonKey, Authorization: token })],
    [1, () => ({ apikey: token, Authorization: `Bearer  ${token} ` })],
    [1, () => ({ apikey: demoKeys.anonKey, Authorization: `Bearer ${garbageToken(rng)}` })],
  ])();
}
