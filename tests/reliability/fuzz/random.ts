// The fuzz run's randomness, reproducible from one seed, and the hostile values it draws from. Every request gets a
// generator of its own derived from (seed, index), so a run's requests are the same whatever order the concurrent
// senders pick them up in: RELIABILITY_FUZZ_SEED replays a failing run request for request.
import { randomUUID } from 'node:crypto';
import { LIMITS } from '../../../types/contract.ts';

/** mulberry32: tiny, fast and good enough to pick test cases (not for anything secret). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The generator of request `index` of a run seeded with `seed`. */
  static forCase(seed: number, index: number): Rng {
    // Mixing the index in (rather than seed + index) keeps neighbouring runs' sequences apart.
    return new Rng(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** One of `weighted`'s values, each as likely as its weight. */
  weighted<T>(weighted: readonly (readonly [number, T])[]): T {
    const total = weighted.reduce((sum, [w]) => sum + w, 0);
    let at = this.next() * total;
    for (const [w, value] of weighted) if ((at -= w) < 0) return value;
    return weighted[weighted.length - 1][1];
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  /** A uuid drawn from this generator (so a replayed run sends the same one). */
  uuid(): string {
    const hex = this.bytes(16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/** A fresh seed when none is given: the run prints it, so it can be replayed. */
export const newSeed = () => Number.parseInt(randomUUID().slice(0, 8), 16) % 1_000_000;

/**
 * Strings that have broken text handling somewhere: NUL (Postgres refuses it), lone surrogates (not Unicode, so not
 * UTF-8), bidi overrides, zero-width characters, ZWJ sequences, combining storms, line separators that break
 * JavaScript string literals, SQL and path metacharacters, and things that look like other types.
 */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\n\r',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83d',
  '\ude00x',
  '\u202eevil\u202c',
  '\u200f\u05e9\u05dc\u05d5\u05dd\u200e',
  '\u200b\u200c\u200d\u2060\ufeff',
  '\ufeff',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  '🇺🇳',
  '👍🏽',
  'Z\u0334\u0321\u0322\u031b\u0317\u0318\u0319\u031c\u031d\u031e\u031f\u0320\u0300\u0301\u0302',
  '\u2028\u2029',
  '\uffff\ufffe',
  '\u{10ffff}',
  '𝕳𝖊𝖑𝖑𝖔',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  '1e309',
  'NaN',
  '[]',
  '{}',
  "'; drop table public.messages; --",
  '" or 1=1 --',
  '\\',
  '%00',
  '%',
  '%zz',
  '../../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '{{7*7}}',
  'é'.normalize('NFD'),
  'ǅ',
  'İ',
];

const HUGE_SIZES = [LIMITS.message_max_length + 1, 15_000, 17_000, 70_000];

/** A string for a text field: mostly hostile, sometimes huge (just over a limit or over the body limit). */
export function nastyString(rng: Rng): string {
  if (rng.chance(0.12)) {
    const filler = rng.pick(['a', 'é', '😀', '\u200b', ' ', '\u0000']);
    return filler.repeat(Math.ceil(rng.pick(HUGE_SIZES) / filler.length));
  }
  if (rng.chance(0.2)) return rng.pick(NASTY_STRINGS) + rng.pick(NASTY_STRINGS);
  return rng.pick(NASTY_STRINGS);
}

/** Not uuids, or uuids that name nothing this caller may touch. */
export function badUuid(rng: Rng, others: readonly string[]): string {
  return rng.pick([
    () => 'not-a-uuid',
    () => '',
    () => '00000000-0000-0000-0000-000000000000',
    () => 'ffffffff-ffff-ffff-ffff-ffffffffffff',
    () => rng.uuid().toUpperCase(),
    () => `{${rng.uuid()}}`,
    () => rng.uuid().replace(/-/g, ''),
    () => `${rng.uuid()}x`,
    () => rng.uuid().slice(0, 35),
    () => `${rng.uuid()}\u0000`,
    () => rng.uuid(),
    () => rng.pick(others),
    () => rng.pick(others),
    () => nastyString(rng),
  ])();
}

/** JSON nested `depth` levels deep, as arrays or objects. */
export function deepJson(rng: Rng, depth: number): string {
  return rng.chance(0.5) ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Any JSON value of a random type (for a field that expects another one). */
export function wrongValue(rng: Rng): unknown {
  return rng.pick<() => unknown>([
    () => null,
    () => true,
    () => 0,
    () => -1,
    () => 1.5,
    () => 1e308,
    () => Number.MAX_SAFE_INTEGER + 2,
    () => [],
    () => [nastyString(rng)],
    () => ({}),
    () => ({ [nastyString(rng)]: nastyString(rng) }),
    () => nastyString(rng),
    () => JSON.parse(deepJson(rng, 50)),
  ])();
}

/** Text that is not (quite) JSON. */
export function invalidJson(rng: Rng, valid: string): string {
  return rng.pick<() => string>([
    () => valid.slice(0, Math.max(1, rng.int(valid.length))),
    () => `${valid},`,
    () => valid.replace(/"/g, "'"),
    () => `${valid}${valid}`,
    () => '{"a":NaN}',
    () => '{"a":undefined}',
    () => '{a:1}',
    () => '/* comment */{}',
    () => '\ufeff' + valid, // valid to Request.json() (a leading BOM is dropped), not to JSON.parse
    () => '',
    () => ' ',
    () => '{"a":"\\ud800"}',
    () => '{"a":"\\u0000"}',
    () => '{"a":1,"a":2}',
    () => `{"__proto__":{"polluted":true}}`,
    () => deepJson(rng, rng.pick([1000, 10_000, 100_000])),
  ])();
}

/** Bytes that are not UTF-8 at all, or UTF-8 of a lone surrogate (CESU-8), inside otherwise plausible JSON. */
export function invalidUtf8(rng: Rng): Buffer {
  const bad = rng.pick([Buffer.from([0xff, 0xfe]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xc0, 0x80])]);
  return Buffer.concat([Buffer.from('{"content":"'), bad, Buffer.from('"}')]);
}
