// Sorts a request's query parameters into what PostgREST makes of them: `select`, `columns`, `on_conflict`,
// `[path.]order|limit|offset`, `[path.][not.]or|and` logic trees, filters `[path.]col=op.value`, and — for RPC
// reads only — function arguments (parameters whose value is not a filter).
import {
  looksLikeFilter,
  parseCount,
  parseFilter,
  parseKey,
  parseLogicTree,
  parseNameList,
  parseOrder,
  parseSelect,
  type Filter,
  type LogicTree,
  type OrderTerm,
  type SelectItem,
} from './grammar.ts';

export interface QueryParams {
  select: SelectItem[];
  columns?: string[];
  onConflict?: string[];
  /** Filters and logic trees, each with the embed path it applies to ([] = the root relation). */
  filters: Array<{ path: string[]; filter: Filter }>;
  logic: Array<{ path: string[]; tree: LogicTree }>;
  /** Keyed by the embed path joined with '.', '' for the root. */
  order: Map<string, OrderTerm[]>;
  ranges: Map<string, { limit?: number; offset?: number }>;
  rpcArgs: Array<[string, string]>;
}

export const pathKey = (path: string[]) => path.join('.');

export function parseQuery(search: URLSearchParams, opts: { rpcRead: boolean }): QueryParams {
  const q: QueryParams = {
    select: [{ type: 'star' }],
    filters: [],
    logic: [],
    order: new Map(),
    ranges: new Map(),
    rpcArgs: [],
  };
  for (const [key, value] of search) {
    if (key === 'select') {
      q.select = parseSelect(value);
      continue;
    }
    if (key === 'columns') {
      q.columns = parseNameList('columns parameter', value);
      continue;
    }
    if (key === 'on_conflict') {
      q.onConflict = parseNameList('on_conflict parameter', value);
      continue;
    }
    if (opts.rpcRead && !looksLikeFilter(value) && !isReservedKey(key)) {
      q.rpcArgs.push([key, value]);
      continue;
    }
    const { path, field } = parseKey(key);
    const last = field.json.length === 0 ? field.name : undefined;
    if (last === 'order') {
      q.order.set(pathKey(path), parseOrder(value));
    } else if (last === 'limit' || last === 'offset') {
      const range = q.ranges.get(pathKey(path)) ?? {};
      range[last] = parseCount(`${last} parameter`, value);
      q.ranges.set(pathKey(path), range);
    } else if (last === 'or' || last === 'and') {
      const negated = path[path.length - 1] === 'not';
      q.logic.push({ path: negated ? path.slice(0, -1) : path, tree: parseLogicTree(last, negated, value) });
    } else {
      q.filters.push({ path, filter: parseFilter(field, value) });
    }
  }
  return q;
}

function isReservedKey(key: string): boolean {
  return /(^|\.)(order|limit|offset|or|and)$/.test(key);
}
