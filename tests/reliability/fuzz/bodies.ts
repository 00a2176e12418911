// Turning a valid JSON body into a hostile one, the same way for every HTTP surface: a field dropped, added, of the
// wrong type, hostile text, a bad uuid, a body over the limit, nesting too deep, not JSON, not an object, not UTF-8,
// or nothing. A share stays valid on purpose: a valid body from a hostile identity is the request that must be
// refused for who sent it, not for how it looks.
import { badUuid, deepJson, invalidJson, invalidUtf8, nastyString, wrongValue, type Rng } from './random.ts';

export type Json = Record<string, unknown>;

/** How the body was changed, for the summary's tally and a failure's description. */
export type Mutation =
  | 'valid'
  | 'drop-field'
  | 'extra-field'
  | 'wrong-type'
  | 'nasty-text'
  | 'bad-uuid'
  | 'over-limit'
  | 'deep'
  | 'invalid-json'
  | 'not-object'
  | 'invalid-utf8'
  | 'empty'
  | 'many-keys';

const MUTATIONS: readonly (readonly [number, Mutation])[] = [
  [14, 'valid'],
  [8, 'drop-field'],
  [8, 'extra-field'],
  [12, 'wrong-type'],
  [16, 'nasty-text'],
  [10, 'bad-uuid'],
  [4, 'over-limit'],
  [4, 'deep'],
  [8, 'invalid-json'],
  [5, 'not-object'],
  [4, 'invalid-utf8'],
  [4, 'empty'],
  [3, 'many-keys'],
];

/** Body sizes past each service's limit: functions 16 KB, Auth 1 MB (REST's is 50 MB: these stay under it). */
const OVER_LIMIT_BYTES = [16 * 1024 + 1, 64 * 1024, 1024 * 1024 + 1];

export interface MutatedBody {
  mutation: Mutation;
  body: Buffer | undefined;
}

export function mutateBody(rng: Rng, base: Json, ids: readonly string[]): MutatedBody {
  const mutation = rng.weighted(MUTATIONS);
  return { mutation, body: applyMutation(rng, mutation, structuredClone(base), ids) };
}

function applyMutation(rng: Rng, mutation: Mutation, body: Json, ids: readonly string[]): Buffer | undefined {
  const keys = Object.keys(body);
  const someKey = () => (keys.length > 0 ? rng.pick(keys) : 'x');
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  switch (mutation) {
    case 'valid':
      return json(body);
    case 'drop-field':
      delete body[someKey()];
      return json(body);
    case 'extra-field':
      body[rng.pick(['extra', '__proto__', 'constructor', 'role', 'user_id', nastyString(rng)])] = wrongValue(rng);
      return json(body);
    case 'wrong-type':
      body[someKey()] = wrongValue(rng);
      return json(body);
    case 'nasty-text':
      setNested(rng, body, () => nastyString(rng));
      return json(body);
    case 'bad-uuid': {
      const idKeys = keys.filter((k) => k.endsWith('id'));
      body[idKeys.length > 0 ? rng.pick(idKeys) : someKey()] = badUuid(rng, ids);
      return json(body);
    }
    case 'over-limit':
      body[someKey()] = 'a'.repeat(rng.pick(OVER_LIMIT_BYTES));
      return json(body);
    case 'deep':
      return Buffer.from(JSON.stringify(body).replace(/}$/, `,"deep":${deepJson(rng, rng.pick([600, 5000]))}}`));
    case 'invalid-json':
      return Buffer.from(invalidJson(rng, JSON.stringify(body)));
    case 'not-object':
      return Buffer.from(rng.pick(['[]', `[${JSON.stringify(body)}]`, '"text"', '42', 'null', 'true']));
    case 'invalid-utf8':
      return invalidUtf8(rng);
    case 'empty':
      return rng.chance(0.5) ? Buffer.alloc(0) : undefined;
    case 'many-keys':
      return json({ ...body, ...Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i])) });
  }
}

/** Replaces one string anywhere in the body (nested objects included) with `make()`. */
function setNested(rng: Rng, body: Json, make: () => unknown): void {
  const slots: [Json, string][] = [];
  const walk = (o: Json) => {
    for (const [k, v] of Object.entries(o)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Json);
      else slots.push([o, k]);
    }
  };
  walk(body);
  if (slots.length === 0) {
    body.text = make();
    return;
  }
  const [target, key] = rng.pick(slots);
  target[key] = make();
}

/** Header values must be Latin-1 without control characters, or Node refuses to send them at all. */
export function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e\x80-\xff]/g, '?').slice(0, 8000);
}

/**
 * A query-string or path value percent-encoded byte by byte (encodeURIComponent throws on a lone surrogate), with
 * PostgREST's syntax characters left readable.
 */
export function urlEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~(),*:!]/.test(c) ? c : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`;
  }
  return out;
}

/** Content types a client might send by mistake. */
export function contentType(rng: Rng): string | undefined {
  return rng.weighted<string | undefined>([
    [30, 'application/json'],
    [2, 'application/json;charset=UTF-8'],
    [1, undefined],
    [1, 'text/plain'],
    [1, 'application/x-www-form-urlencoded'],
    [1, 'multipart/form-data; boundary=xyz'],
    [1, 'application/json; charset=utf-16'],
    [1, 'application/octet-stream'],
    [1, 'text/csv'],
    [1, 'application/vnd.pgrst.object+json'],
    [1, '*/*'],
    [1, ';;;'],
  ]);
}
