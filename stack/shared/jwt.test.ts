import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoKeys } from '../config.ts';
import { bearerToken, signJwt, verifyJwt } from './jwt.ts';

describe('stack/shared/jwt', () => {
  it('verifies the public demo anon and service_role keys with the demo secret', () => {
    const anon = verifyJwt(demoKeys.anonKey, demoKeys.jwtSecret);
    const service = verifyJwt(demoKeys.serviceRoleKey, demoKeys.jwtSecret);
    assert.deepEqual(anon.ok && anon.claims.role, 'anon');
    assert.deepEqual(service.ok && service.claims.role, 'service_role');
  });

  it('round-trips a signed token and refuses a tampered, expired or exp-less one', () => {
    const now = 1_800_000_000;
    const token = signJwt({ sub: 'u1', role: 'authenticated', exp: now + 60 }, demoKeys.jwtSecret);
    assert.deepEqual(verifyJwt(token, demoKeys.jwtSecret, { nowSec: now }), {
      ok: true,
      claims: { sub: 'u1', role: 'authenticated', exp: now + 60 },
    });
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'u1', role: 'service_role', exp: now + 60 })).toString('base64url')}.${s}`;
    assert.deepEqual(verifyJwt(forged, demoKeys.jwtSecret, { nowSec: now }), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyJwt(token, 'another-secret-another-secret-another', { nowSec: now }), {
      ok: false,
      reason: 'bad_signature',
    });
    assert.deepEqual(verifyJwt(token, demoKeys.jwtSecret, { nowSec: now + 61 }), { ok: false, reason: 'expired' });
    assert.deepEqual(verifyJwt(signJwt({ role: 'anon' }, demoKeys.jwtSecret), demoKeys.jwtSecret), {
      ok: false,
      reason: 'missing_exp',
    });
    assert.deepEqual(verifyJwt('not.a.jwt', demoKeys.jwtSecret), { ok: false, reason: 'malformed' });
  });

  it('reads bearer tokens case-insensitively', () => {
    assert.equal(bearerToken('bearer abc.def.ghi'), 'abc.def.ghi');
    assert.equal(bearerToken('Basic xyz'), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });
});
