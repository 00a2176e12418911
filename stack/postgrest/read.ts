// GET / HEAD on a table or view: a READ ONLY transaction, the page capped at max-rows, `count=exact` as a second
// count over the same FROM…WHERE (inner embeds included), Content-Range and 200 / 206 / 416.
import { inTransaction, type BodyKind } from './execute.ts';
import { planRead } from './plan.ts';
import type { Reply } from './response.ts';
import { outcomeOf, pageReply } from './result.ts';
import type { Relation } from './schema-cache.ts';
import { Params, qualifiedName, rootSelect } from './sql.ts';
import type { RequestContext } from './types.ts';

/**
 * The root page: `offset`/`limit` intersected with a Range header, never more than max-rows
 * (postgrest-api.md §3.5, §4.4).
 */
export function rootPage(
  ctx: RequestContext,
  q: { limit?: number; offset?: number },
): { offset: number; limit: number } {
  let lower = q.offset ?? 0;
  let upper = q.limit === undefined ? Infinity : lower + q.limit - 1;
  if (ctx.range && ctx.method === 'GET') {
    lower = Math.max(lower, ctx.range.offset);
    upper = Math.min(upper, ctx.range.limit === undefined ? Infinity : ctx.range.offset + ctx.range.limit - 1);
  }
  const limit = upper === Infinity ? ctx.config.maxRows : Math.max(0, Math.min(upper - lower + 1, ctx.config.maxRows));
  return { offset: lower, limit };
}

export function bodyKind(ctx: RequestContext): BodyKind {
  if (ctx.method === 'HEAD') return 'none';
  return ctx.media.kind === 'object' ? 'object' : ctx.media.kind === 'csv' ? 'csv' : 'array';
}

export async function readRelation(ctx: RequestContext, relation: Relation): Promise<Reply> {
  const table = qualifiedName(relation.schema, relation.name);
  const node = planRead({ cache: ctx.cache, schema: ctx.schema }, relation, table, ctx.query);
  const page = rootPage(ctx, node);
  const p = new Params();
  const { rows, countFrom } = rootSelect(node, table, table, p, { maxRows: ctx.config.maxRows, ...page });
  const envelope = {
    page: rows,
    total: ctx.prefer.count ? `(SELECT pg_catalog.count(*) ${countFrom})` : undefined,
    body: bodyKind(ctx),
    stripNulls: ctx.media.stripNulls,
  };
  return inTransaction(ctx.sql, { readOnly: true, settings: ctx.settings }, envelope, (row) =>
    pageReply(ctx, outcomeOf(row), page.offset),
  );
}
