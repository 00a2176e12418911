// The small languages inside PostgREST query parameters: `select`, filter values (`not.in.(a,"b,c")`), logic trees
// (`or=(a.eq.1,and(b.gt.2,c.lt.3))`), `order`, `columns`/`on_conflict`. Each parser returns an AST; nothing here
// produces SQL, and every name stays a plain string that the SQL builder quotes as an identifier.
import { ApiError, parseError } from './errors.ts';

export interface JsonStep {
  arrow: '->' | '->>';
  key: string;
  index: boolean;
}
export interface Field {
  name: string;
  json: JsonStep[];
}

export type SelectItem =
  | { type: 'star' }
  | { type: 'field'; field: Field; alias?: string; cast?: string }
  | {
      type: 'embed';
      name: string;
      alias?: string;
      hint?: string;
      inner: boolean;
      spread: boolean;
      select: SelectItem[];
    };

export const OPERATORS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'like',
  'ilike',
  'match',
  'imatch',
  'in',
  'is',
  'isdistinct',
  'cs',
  'cd',
  'ov',
  'sl',
  'sr',
  'nxr',
  'nxl',
  'adj',
  'fts',
  'plfts',
  'phfts',
  'wfts',
] as const;
export type Operator = (typeof OPERATORS)[number];
const QUANTIFIABLE = new Set<Operator>(['eq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch']);
const FTS = new Set<Operator>(['fts', 'plfts', 'phfts', 'wfts']);
const IS_VALUES = ['null', 'not_null', 'true', 'false', 'unknown'] as const;
export type IsValue = (typeof IS_VALUES)[number];

export type FilterValue =
  { kind: 'scalar'; text: string } | { kind: 'list'; items: string[] } | { kind: 'is'; value: IsValue };

export interface Filter {
  field: Field;
  negated: boolean;
  op: Operator;
  quantifier?: 'any' | 'all';
  ftsConfig?: string;
  value: FilterValue;
}

export type LogicNode = { type: 'filter'; filter: Filter } | LogicTree;
export interface LogicTree {
  type: 'logic';
  op: 'and' | 'or';
  negated: boolean;
  children: LogicNode[];
}

export interface OrderTerm {
  relation?: string;
  field: Field;
  direction?: 'asc' | 'desc';
  nulls?: 'first' | 'last';
}

/** A cursor over one parameter value that reports failures the way PostgREST's parser does. */
class Scanner {
  pos = 0;
  constructor(
    readonly text: string,
    readonly what: string,
  ) {}
  get done() {
    return this.pos >= this.text.length;
  }
  peek(offset = 0) {
    return this.text[this.pos + offset] ?? '';
  }
  startsWith(s: string) {
    return this.text.startsWith(s, this.pos);
  }
  eat(s: string): boolean {
    if (!this.startsWith(s)) return false;
    this.pos += s.length;
    return true;
  }
  skipSpaces() {
    while (/\s/.test(this.peek())) this.pos++;
  }
  expect(s: string, expecting = `"${s}"`) {
    if (!this.eat(s)) this.fail(expecting);
  }
  fail(expecting: string): never {
    const found = this.done ? 'end of input' : `"${this.peek()}"`;
    throw parseError(this.what, this.text, this.pos + 1, `unexpected ${found} expecting ${expecting}`);
  }
}

const IDENT = /[\p{L}\p{N}_$]/u;
/** Inside a name PostgREST also accepts spaces (`Col Name=eq.1`); surrounding ones are trimmed. */
const IDENT_OR_SPACE = /[\p{L}\p{N}_$ ]/u;

/** A name: `"quoted \" name"` or identifier characters joined by single dashes (`my-col`, but not `a->b`). */
function name(s: Scanner, expecting = 'field name'): string {
  s.skipSpaces();
  if (s.peek() === '"') return quoted(s);
  let out = '';
  for (;;) {
    const start = s.pos;
    while (IDENT_OR_SPACE.test(s.peek())) s.pos++;
    if (s.text.slice(start, s.pos).trim() === '') s.fail(expecting);
    out += s.text.slice(start, s.pos);
    if (s.peek() === '-' && s.peek(1) !== '>' && IDENT.test(s.peek(1))) {
      s.pos++;
      out += '-';
      continue;
    }
    return out.trim();
  }
}

function quoted(s: Scanner): string {
  s.expect('"');
  let out = '';
  while (!s.done && s.peek() !== '"') {
    if (s.peek() === '\\' && s.pos + 1 < s.text.length) s.pos++;
    out += s.peek();
    s.pos++;
  }
  s.expect('"', 'closing quote');
  return out;
}

function jsonPath(s: Scanner): JsonStep[] {
  const steps: JsonStep[] = [];
  while (s.startsWith('->')) {
    const arrow = s.eat('->>') ? '->>' : (s.eat('->'), '->');
    const idx = /^-?\d+/.exec(s.text.slice(s.pos));
    // A number is an array index unless more identifier characters follow it (`->1a` is a key).
    if (idx && !IDENT.test(s.text[s.pos + idx[0].length] ?? '')) {
      s.pos += idx[0].length;
      steps.push({ arrow, key: idx[0], index: true });
    } else {
      steps.push({ arrow, key: name(s, 'json key'), index: false });
    }
  }
  return steps;
}

function field(s: Scanner): Field {
  return { name: name(s), json: jsonPath(s) };
}

// ---------------------------------------------------------------------------------------------------- select

export function parseSelect(text: string): SelectItem[] {
  const s = new Scanner(text, 'select parameter');
  const items = selectList(s, true);
  if (!s.done) s.fail('"," or end of input');
  return items;
}

function selectList(s: Scanner, top: boolean): SelectItem[] {
  const items: SelectItem[] = [];
  s.skipSpaces();
  if (s.done || (!top && s.peek() === ')')) return items;
  do {
    items.push(selectItem(s));
    s.skipSpaces();
  } while (s.eat(','));
  return items;
}

function selectItem(s: Scanner): SelectItem {
  s.skipSpaces();
  if (s.eat('*')) return { type: 'star' };
  const spread = s.eat('...');
  let first = name(s);
  let alias: string | undefined;
  if (!spread && s.peek() === ':' && s.peek(1) !== ':') {
    s.pos++;
    alias = first;
    first = name(s);
  }
  s.skipSpaces();
  if (s.peek() === '!' || s.peek() === '(') return embed(s, first, alias, spread);
  if (spread) s.fail('"(" or "!"');
  const json = jsonPath(s);
  if (s.peek() === '.' && /^\.(count|sum|avg|min|max)\(\)/.test(s.text.slice(s.pos))) {
    throw new ApiError(400, 'PGRST123', 'Use of aggregate functions is not allowed');
  }
  let cast: string | undefined;
  if (s.eat('::')) {
    const start = s.pos;
    // PostgREST's cast grammar: letters, digits, underscores and spaces only, so a cast can never leave CAST(… AS …).
    while (/[\p{L}\p{N}_ ]/u.test(s.peek())) s.pos++;
    cast = s.text.slice(start, s.pos).trim();
    if (!cast) s.fail('cast type');
  }
  return { type: 'field', field: { name: first, json }, alias, cast };
}

function embed(s: Scanner, relation: string, alias: string | undefined, spread: boolean): SelectItem {
  if (relation === 'count' && s.startsWith('()'))
    throw new ApiError(400, 'PGRST123', 'Use of aggregate functions is not allowed');
  let hint: string | undefined;
  let inner = false;
  while (s.eat('!')) {
    const word = name(s, 'hint or join type');
    if (word === 'inner') inner = true;
    else if (word === 'left') inner = false;
    else hint = word;
  }
  s.expect('(');
  const select = selectList(s, false);
  s.expect(')', '")" or ","');
  return { type: 'embed', name: relation, alias, hint, inner, spread, select };
}

// ---------------------------------------------------------------------------------------------------- filters

/** Whether a value starts like a filter (`eq.`, `not.`, `fts(english).`, `eq(any).`): RPC GET args are the rest. */
export function looksLikeFilter(value: string): boolean {
  return /^not\./.test(value) || OPERATORS.some((op) => value.startsWith(`${op}.`) || value.startsWith(`${op}(`));
}

/** A top-level filter value: everything after `op.` is the value, dots and commas included. */
export function parseFilter(f: Field, text: string): Filter {
  const s = new Scanner(text, 'filter');
  const filter = operatorAndValue(s, f, (sc, op) => {
    if (op === 'in') return listValue(sc);
    const rest = sc.text.slice(sc.pos);
    sc.pos = sc.text.length;
    return rest;
  });
  if (!s.done) s.fail('end of input');
  return filter;
}

function operatorAndValue(s: Scanner, f: Field, value: (s: Scanner, op: Operator) => string | string[]): Filter {
  const negated = s.eat('not.');
  const op = [...OPERATORS]
    .sort((a, b) => b.length - a.length)
    .find((o) => s.startsWith(o) && (s.peek(o.length) === '.' || s.peek(o.length) === '('));
  if (!op) s.fail(`operator (${OPERATORS.join(', ')})`);
  s.pos += op.length;
  let quantifier: 'any' | 'all' | undefined;
  let ftsConfig: string | undefined;
  if (s.eat('(')) {
    if (FTS.has(op)) ftsConfig = name(s, 'text search configuration');
    else if (QUANTIFIABLE.has(op) && (s.startsWith('any)') || s.startsWith('all)'))) {
      quantifier = s.startsWith('any') ? 'any' : 'all';
      s.pos += 3;
    } else s.fail('"any" or "all"');
    s.expect(')');
  }
  s.expect('.');
  const raw = value(s, op);
  if (op === 'is') {
    const v = String(raw).toLowerCase();
    if (!(IS_VALUES as readonly string[]).includes(v)) {
      throw parseError(
        'filter',
        s.text,
        s.text.length - String(raw).length + 1,
        'unexpected value expecting null, not_null, true, false or unknown',
      );
    }
    return { field: f, negated, op, value: { kind: 'is', value: v as IsValue } };
  }
  const val: FilterValue = Array.isArray(raw) ? { kind: 'list', items: raw } : { kind: 'scalar', text: raw };
  return { field: f, negated, op, quantifier, ftsConfig, value: val };
}

/** `(a,"b,c",d)`: double quotes protect commas and parentheses; backslash escapes inside quotes. */
function listValue(s: Scanner): string[] {
  s.expect('(');
  const items: string[] = [];
  if (s.eat(')')) return items;
  do {
    if (s.peek() === '"') items.push(quoted(s));
    else {
      const start = s.pos;
      while (!s.done && s.peek() !== ',' && s.peek() !== ')') s.pos++;
      items.push(s.text.slice(start, s.pos));
    }
  } while (s.eat(','));
  s.expect(')', '"," or ")"');
  return items;
}

// ---------------------------------------------------------------------------------------------------- logic trees

export function parseLogicTree(op: 'and' | 'or', negated: boolean, text: string): LogicTree {
  const s = new Scanner(text, 'logic tree');
  const tree: LogicTree = { type: 'logic', op, negated, children: logicChildren(s) };
  if (!s.done) s.fail('end of input');
  return tree;
}

function logicChildren(s: Scanner): LogicNode[] {
  s.expect('(');
  const children: LogicNode[] = [];
  do {
    s.skipSpaces();
    children.push(logicNode(s));
  } while (s.eat(','));
  s.expect(')', '"," or ")"');
  return children;
}

function logicNode(s: Scanner): LogicNode {
  const save = s.pos;
  const negated = s.eat('not.');
  for (const op of ['and', 'or'] as const) {
    if (s.startsWith(`${op}(`)) {
      s.pos += op.length;
      return { type: 'logic', op, negated, children: logicChildren(s) };
    }
  }
  s.pos = save;
  const f = field(s);
  s.expect('.');
  return { type: 'filter', filter: operatorAndValue(s, f, treeValue) };
}

/** A value inside a logic tree ends at `,` or `)` unless quoted, a `{…}` literal, or an `in.(…)` list. */
function treeValue(s: Scanner, op: Operator): string | string[] {
  if (op === 'in') return listValue(s);
  if (s.peek() === '"') return quoted(s);
  const start = s.pos;
  if (s.peek() === '{') {
    while (!s.done && s.peek() !== '}') s.pos++;
    s.expect('}');
  }
  while (!s.done && s.peek() !== ',' && s.peek() !== ')') s.pos++;
  return s.text.slice(start, s.pos);
}

// ---------------------------------------------------------------------------------------------------- order

export function parseOrder(text: string): OrderTerm[] {
  const s = new Scanner(text, 'order');
  const terms: OrderTerm[] = [];
  do {
    s.skipSpaces();
    let f = field(s);
    let relation: string | undefined;
    if (f.json.length === 0 && s.eat('(')) {
      relation = f.name;
      f = field(s);
      s.expect(')');
    }
    const term: OrderTerm = { relation, field: f };
    while (s.eat('.')) {
      // Like PostgREST's parser: a keyword is consumed and whatever follows it must be `.`, `,` or the end.
      const word = ['nullsfirst', 'nullslast', 'asc', 'desc'].find((w) => s.startsWith(w));
      if ((word === 'asc' || word === 'desc') && !term.direction && !term.nulls) term.direction = word;
      else if ((word === 'nullsfirst' || word === 'nullslast') && !term.nulls)
        term.nulls = word === 'nullsfirst' ? 'first' : 'last';
      else s.fail('"asc", "desc", "nullsfirst" or "nullslast"');
      s.pos += word!.length;
    }
    terms.push(term);
    if (!s.done && s.peek() !== ',') s.fail('"," or end of input');
  } while (s.eat(','));
  if (!s.done) s.fail('"," or end of input');
  return terms;
}

// ---------------------------------------------------------------------------------------------------- lists

/** `columns` and `on_conflict`: comma-separated names, optionally double-quoted. */
export function parseNameList(what: string, text: string): string[] {
  const s = new Scanner(text, what);
  const names: string[] = [];
  do names.push(name(s).trim());
  while (s.eat(','));
  if (!s.done) s.fail('"," or end of input');
  return names;
}

/** A non-negative integer parameter (limit, offset). */
export function parseCount(what: string, text: string): number {
  if (!/^\d+$/.test(text)) {
    const bad = /^\d*/.exec(text)![0].length;
    throw parseError(
      what,
      text,
      bad + 1,
      `unexpected ${bad < text.length ? `"${text[bad]}"` : 'end of input'} expecting digit`,
    );
  }
  return Number(text);
}

/** A query-string key: `col`, `col->a->>b`, `embed.col`, `embed.sub.order`, `not.or`. */
export function parseKey(text: string): { path: string[]; field: Field } {
  const s = new Scanner(text, 'filter');
  const names = [name(s)];
  while (s.eat('.')) names.push(name(s));
  const json = jsonPath(s);
  if (!s.done) s.fail('"." or end of input');
  return { path: names.slice(0, -1), field: { name: names[names.length - 1], json } };
}
