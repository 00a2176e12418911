// The Postgres Changes `filter` syntax the server accepts: `column=op.value`, conditions joined by commas (AND),
// any operator negatable with `not.`, `in.(a,b)` lists, PostgREST-style double quotes for reserved characters.
// Filters become SQL comparisons evaluated by Postgres with the column's own type, as upstream evaluates them.
import { quoteLiteral } from '../shared/sql.ts';

export const operators = [
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'like',
  'ilike',
  'is',
  'match',
  'imatch',
  'isdistinct',
] as const;
export type Operator = (typeof operators)[number];

export interface Filter {
  column: string;
  op: Operator;
  negate: boolean;
  /** A list for `in`, a keyword for `is`, a scalar otherwise. */
  value: string | string[];
}

export class FilterError extends Error {}

/** Elixir's inspect of a list of strings, as upstream's parse errors print them. */
const inspectList = (parts: string[]) => `[${parts.map((p) => JSON.stringify(p)).join(', ')}]`;

/** Splits on `sep` outside double quotes and parentheses. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '\\' && i + 1 < s.length) {
      cur += c + s[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    if (c === sep && !quoted && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1');
  return v;
}

export function parseFilters(input: string | undefined | null): Filter[] {
  if (!input || input.trim() === '') return [];
  return splitTop(input, ',').map((cond) => {
    const eq = cond.indexOf('=');
    if (eq <= 0) throw new FilterError(inspectList([cond]));
    const column = cond.slice(0, eq).trim();
    let rest = cond.slice(eq + 1);
    let negate = false;
    if (rest.startsWith('not.')) {
      negate = true;
      rest = rest.slice(4);
    }
    const dot = rest.indexOf('.');
    const op = (dot < 0 ? rest : rest.slice(0, dot)) as Operator;
    const raw = dot < 0 ? '' : rest.slice(dot + 1);
    if (!operators.includes(op) || dot < 0) throw new FilterError(inspectList(rest.split('.')));
    if (op === 'in') {
      if (!raw.startsWith('(') || !raw.endsWith(')'))
        throw new FilterError(`${op} value must be wrapped in parentheses: ${raw}`);
      const items = splitTop(raw.slice(1, -1), ',').map((v) => unquote(v.trim()));
      if (items.length > 100) throw new FilterError('in filter can have at most 100 values');
      return { column, op, negate, value: items };
    }
    if (op === 'is' && !['null', 'true', 'false', 'unknown'].includes(raw.toLowerCase())) {
      throw new FilterError(`is value must be one of null, true, false, unknown: ${raw}`);
    }
    return { column, op, negate, value: unquote(raw) };
  });
}

/** SQL for one filter against a row value (text or NULL) of Postgres type `type`; NULL comparisons are false. */
export function filterSql(f: Filter, value: string | null, type: string): string {
  const v = value === null ? `null::${type}` : `${quoteLiteral(value)}::${type}`;
  const lit = (x: string) => `${quoteLiteral(x)}::${type}`;
  const cmp: Record<string, string> = { eq: '=', neq: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' };
  let expr: string;
  if (f.op in cmp) expr = `${v} ${cmp[f.op]} ${lit(f.value as string)}`;
  else if (f.op === 'in') expr = `${v} = any(array[${(f.value as string[]).map(lit).join(', ')}]::${type}[])`;
  else if (f.op === 'is')
    expr = `${v} is ${(f.value as string).toLowerCase() === 'null' ? 'null' : (f.value as string).toLowerCase()}`;
  else if (f.op === 'isdistinct') expr = `${v} is distinct from ${lit(f.value as string)}`;
  else {
    const sqlOp = { like: 'like', ilike: 'ilike', match: '~', imatch: '~*' }[f.op as 'like'];
    expr = `${v}::text ${sqlOp} ${quoteLiteral(f.value as string)}`;
  }
  return `coalesce(${f.negate ? 'not ' : ''}(${expr}), false)`;
}

/** A statement that fails when a filter's column or value does not fit the table (used at subscribe time). */
export function filterCheckSql(f: Filter, type: string): string {
  const values = Array.isArray(f.value) ? f.value : f.op === 'is' ? [] : [f.value];
  // Patterns are text, whatever the column: checked as text (a NUL cannot be quoted) and regexes compiled, so a bad
  // one fails the subscription instead of every later delivery of the table.
  if (f.op === 'like' || f.op === 'ilike') return `select ${quoteLiteral(f.value as string)}::text`;
  if (f.op === 'match' || f.op === 'imatch') return `select '' ~ ${quoteLiteral(f.value as string)}`;
  return `select ${[...values.map((x) => `${quoteLiteral(x)}::${type}`), '1'].join(', ')}`;
}

export const describeFilters = (filters: Filter[]) =>
  `[${filters.map((f) => `{${JSON.stringify(f.column)}, ${JSON.stringify(f.op)}, ${JSON.stringify(Array.isArray(f.value) ? `(${f.value.join(',')})` : f.value)}}`).join(', ')}]`;
