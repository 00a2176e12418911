// /rpc/<fn>: finds the function by schema, name and the set of argument names (PGRST202 / PGRST203 as PostgREST),
// calls it with named arguments — from the JSON body through json_to_record (POST) or from query parameters cast
// to the parameter types (GET/HEAD) — and shapes the result: scalar, set of scalars, one row, rows (which `select`,
// filters, `order` and `limit` then apply to), or nothing (void → 204).
import { ApiError, closest } from './errors.ts';
import { inTransaction, type BodyKind } from './execute.ts';
import { ident, planRead } from './plan.ts';
import { rootPage } from './read.ts';
import { parsePayload } from './request.ts';
import { applyOverrides, type Reply } from './response.ts';
import { mayRefuse, outcomeOf, pageReply } from './result.ts';
import { qualified, type FunctionDef } from './schema-cache.ts';
import { Params, qualifiedName, rootSelect } from './sql.ts';
import type { RequestContext } from './types.ts';

const SOURCE = '"pgrst_source"';

type Call = { fn: FunctionDef; singleJson: boolean };

function describeParams(fn: FunctionDef): string {
  return `${fn.schema}.${fn.name}(${fn.params.map((p) => `${p.name} => ${p.type}`).join(', ')})`;
}

/** PostgREST's overload resolution: the argument names must cover every parameter without a default, and no more. */
function resolve(ctx: RequestContext, name: string, keys: string[], post: boolean): Call {
  const candidates = ctx.cache.functions.get(qualified(ctx.schema, name)) ?? [];
  const named = candidates.filter(
    (fn) =>
      keys.every((k) => fn.params.some((p) => p.name === k)) &&
      fn.params.every((p) => p.hasDefault || keys.includes(p.name)),
  );
  if (named.length === 1) return { fn: named[0], singleJson: false };
  if (named.length > 1) {
    // Prefer the candidate whose parameters are exactly the keys; otherwise the call is ambiguous.
    const exact = named.filter((fn) => fn.params.length === keys.length);
    if (exact.length === 1) return { fn: exact[0], singleJson: false };
    throw new ApiError(
      300,
      'PGRST203',
      `Could not choose the best candidate function between: ${named.map(describeParams).join(', ')}`,
      null,
      'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
    );
  }
  const json = post
    ? candidates.filter(
        (fn) => fn.params.length === 1 && fn.params[0].name === '' && /^jsonb?$/.test(fn.params[0].type),
      )
    : [];
  if (json.length === 1) return { fn: json[0], singleJson: true };
  const sorted = [...keys].sort();
  const qn = `${ctx.schema}.${name}`;
  const withParams =
    sorted.length === 0 ? 'without parameters' : `with parameter${sorted.length > 1 ? 's' : ''} ${sorted.join(', ')}`;
  const others = [...ctx.cache.functions.keys()]
    .filter((k) => k.startsWith(`${ctx.schema}.`))
    .map((k) => k.slice(ctx.schema.length + 1));
  const suggestion = candidates.length
    ? describeParams(candidates[0]).replace(/ => [^,)]+/g, '')
    : closest(name, others);
  throw new ApiError(
    404,
    'PGRST202',
    `Could not find the function ${qn}${sorted.length ? `(${sorted.join(', ')})` : ' without parameters'} in the schema cache`,
    `Searched for the function ${qn} ${withParams}${post ? ' or with a single unnamed json/jsonb parameter' : ''}, ` +
      'but no matches were found in the schema cache.',
    suggestion
      ? `Perhaps you meant to call the function ${suggestion.includes('.') ? suggestion : `${ctx.schema}.${suggestion}`}`
      : null,
  );
}

/** The SELECT that calls the function; its rows are pgrst_source. */
function callSql(
  call: Call,
  args: { json?: string; text?: Array<[string, string]> },
  keys: string[],
  p: Params,
): string {
  const { fn } = call;
  const fnName = qualifiedName(fn.schema, fn.name);
  let from = '';
  let argList: string;
  if (call.singleJson) {
    argList = `${p.add(args.json ?? '{}')}::${fn.params[0].type}`;
  } else if (args.text) {
    // GET: every argument is text cast to its parameter type, as a literal in the URL would be.
    argList = args.text
      .map(([k, v]) => {
        const param = fn.params.find((x) => x.name === k)!;
        return `${param.variadic ? 'VARIADIC ' : ''}${ident(k)} := CAST(${p.add(v)} AS ${param.type})`;
      })
      .join(', ');
  } else {
    // POST: json_to_record types each JSON value with the parameter's type (objects for json, arrays for arrays).
    const params = keys.map((k) => fn.params.find((x) => x.name === k)!);
    argList = params
      .map((x) => `${x.variadic ? 'VARIADIC ' : ''}${ident(x.name)} := pgrst_args.${ident(x.name)}`)
      .join(', ');
    if (params.length) {
      from = `pg_catalog.json_to_record(${p.add(args.json ?? '{}')}::json) AS pgrst_args(${params.map((x) => `${ident(x.name)} ${x.type}`).join(', ')})`;
    }
  }
  const invocation = `${fnName}(${argList})`;
  if (fn.returns.kind !== 'composite' && !fn.setOf)
    return `SELECT ${invocation} AS pgrst_scalar${from ? ` FROM ${from}` : ''}`;
  const lateral = from ? `${from} CROSS JOIN LATERAL ` : '';
  return fn.returns.kind === 'composite'
    ? `SELECT pgrst_call.* FROM ${lateral}${invocation} AS pgrst_call`
    : `SELECT pgrst_call.pgrst_scalar FROM ${lateral}${invocation} AS pgrst_call(pgrst_scalar)`;
}

export async function callRpc(ctx: RequestContext, name: string): Promise<Reply> {
  const post = ctx.method === 'POST';
  let json: string | undefined;
  let keys: string[];
  if (post) {
    const payload = parsePayload(ctx.body, ctx.contentType, { emptyIs: '{}' });
    json = payload.text;
    const value = payload.value;
    keys = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
    const call = resolve(ctx, name, keys, true);
    if (!call.singleJson && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new ApiError(400, 'PGRST102', 'Empty or invalid json');
    }
    return run(ctx, call, { json }, keys);
  }
  const text = new Map(ctx.query.rpcArgs);
  keys = [...text.keys()];
  return run(ctx, resolve(ctx, name, keys, false), { text: [...text] }, keys);
}

async function run(
  ctx: RequestContext,
  call: Call,
  args: { json?: string; text?: Array<[string, string]> },
  keys: string[],
): Promise<Reply> {
  const { fn } = call;
  const p = new Params();
  const source = callSql(call, args, keys, p);
  const composite = fn.returns.kind === 'composite';
  const page = rootPage(ctx, ctx.query.ranges.get('') ?? {});
  let rows: string;
  let countFrom: string;
  if (composite) {
    const node = planRead({ cache: ctx.cache, schema: ctx.schema }, fn.returns.relation, SOURCE, ctx.query);
    ({ rows, countFrom } = rootSelect(node, 'pgrst_source', SOURCE, p, {
      maxRows: ctx.config.maxRows,
      ...(fn.setOf ? page : {}),
    }));
  } else {
    rows = `SELECT pgrst_source.pgrst_scalar FROM pgrst_source${fn.setOf ? ` LIMIT ${page.limit} OFFSET ${page.offset}` : ''}`;
    countFrom = 'FROM pgrst_source';
  }
  const single = !fn.setOf || ctx.media.kind === 'object';
  const body: BodyKind =
    ctx.method === 'HEAD' || fn.returns.kind === 'void'
      ? 'none'
      : composite
        ? single
          ? 'object'
          : ctx.media.kind === 'csv'
            ? 'csv'
            : 'array'
        : single
          ? 'scalar-object'
          : 'scalar-array';
  const envelope = {
    source,
    page: rows,
    body,
    stripNulls: ctx.media.stripNulls,
    total: ctx.prefer.count ? `(SELECT pg_catalog.count(*) ${countFrom})` : undefined,
  };
  // Only a VOLATILE function called with POST gets a read-write transaction; anything else that writes fails with
  // 25006 (read-only transaction) → 405, as in PostgREST.
  const readOnly = ctx.method !== 'POST' || fn.volatility !== 'volatile';
  return inTransaction(ctx.sql, { readOnly, refusable: mayRefuse(ctx), settings: ctx.settings }, envelope, (row) => {
    const o = outcomeOf(row);
    if (fn.returns.kind === 'void')
      return applyOverrides({ status: 204, headers: {} }, o.row.response_headers, o.row.response_status);
    return pageReply(ctx, o, fn.setOf ? page.offset : 0);
  });
}
