// Read planning: binds a parsed `select` tree to the schema cache (which foreign key each embed follows, whether it
// yields an object or an array) and hangs filters, logic trees, ordering and limits on the node they address.
// All PostgREST's embedding errors come from here: PGRST200/201 (no / ambiguous relationship), PGRST108 (filter on
// something not embedded), PGRST118 (ordering by a to-many embed), PGRST120 (bad operator on an embed).
import { quoteIdent } from '../shared/sql.ts';
import { ApiError, closest } from './errors.ts';
import type { Field, Filter, LogicTree, OrderTerm, SelectItem } from './grammar.ts';
import type { QueryParams } from './query-params.ts';
import { qualified, type Relation, type Relationship, type SchemaCache } from './schema-cache.ts';

export interface FieldItem {
  kind: 'field';
  field: Field;
  key: string;
  cast?: string;
}
export interface EmbedItem {
  kind: 'embed';
  key: string;
  name: string;
  rel: Relationship;
  toOne: boolean;
  inner: boolean;
  spread: boolean;
  /** SQL alias of the lateral subquery that produces this embed. */
  lateral: string;
  node: ReadNode;
}
export type ProjectionItem = { kind: 'star' } | FieldItem | EmbedItem;

export interface ReadNode {
  /** The relation whose columns the node reads (absent for RPC results that are not a table's row type). */
  relation?: Relation;
  /** How columns of this node are qualified in SQL (root: set by the caller; embeds: their own alias). */
  qualifier: string;
  items: ProjectionItem[];
  filters: Filter[];
  presence: Array<{ embed: EmbedItem; isNull: boolean }>;
  logic: LogicTree[];
  order: OrderTerm[];
  limit?: number;
  offset?: number;
}

/** A quoted identifier; a NUL (only a quoted name in a query parameter can hold one) is PostgREST's 400 PGRST100. */
export function ident(name: string): string {
  return quoteIdent(name, () => new ApiError(400, 'PGRST100', 'Identifiers may not contain NUL characters'));
}

export interface PlanContext {
  cache: SchemaCache;
  schema: string;
}

export function planRead(
  ctx: PlanContext,
  relation: Relation | undefined,
  qualifier: string,
  q: QueryParams,
): ReadNode {
  let counter = 0;
  const nextAlias = (base: string) => `${base}_${++counter}`;
  const build = (rel: Relation | undefined, qual: string, items: SelectItem[]): ReadNode => {
    const node: ReadNode = {
      relation: rel,
      qualifier: qual,
      items: [],
      filters: [],
      presence: [],
      logic: [],
      order: [],
    };
    for (const item of items) {
      if (item.type === 'star') node.items.push({ kind: 'star' });
      else if (item.type === 'field') {
        const lastKey = [...item.field.json].reverse().find((s) => !s.index)?.key;
        node.items.push({
          kind: 'field',
          field: item.field,
          cast: item.cast,
          key: item.alias ?? lastKey ?? item.field.name,
        });
      } else {
        const relationship = resolveRelationship(ctx, rel, item.name, item.hint);
        const toOne = relationship.cardinality !== 'one-to-many';
        if (item.spread && !toOne) {
          throw new ApiError(
            400,
            'PGRST119',
            `A spread operation on '${item.name}' is not possible`,
            `'${rel?.name}' and '${item.name}' do not form a many-to-one or one-to-one relationship`,
          );
        }
        const alias = nextAlias(relationship.target.name);
        node.items.push({
          kind: 'embed',
          key: item.alias ?? item.name,
          name: item.name,
          rel: relationship,
          toOne,
          inner: item.inner,
          spread: item.spread,
          lateral: ident(`${alias}_lat`),
          node: build(relationship.target, ident(alias), item.select),
        });
      }
    }
    return node;
  };
  const root = build(relation, qualifier, q.select);
  for (const { path, filter } of q.filters) attachFilter(descend(root, path), filter);
  for (const { path, tree } of q.logic) descend(root, path).logic.push(tree);
  for (const [key, terms] of q.order) {
    const node = descend(root, key === '' ? [] : key.split('.'));
    for (const term of terms) if (term.relation) relatedEmbed(node, term.relation);
    node.order.push(...terms);
  }
  for (const [key, range] of q.ranges) Object.assign(descend(root, key === '' ? [] : key.split('.')), range);
  return root;
}

/** The embeds of a node, by the name a query parameter may use for them (the alias, else the relation name). */
function embedsOf(node: ReadNode): EmbedItem[] {
  return node.items.filter((i): i is EmbedItem => i.kind === 'embed');
}

function findEmbed(node: ReadNode, name: string): EmbedItem | undefined {
  const embeds = embedsOf(node);
  return embeds.find((e) => e.key === name) ?? embeds.find((e) => e.name === name);
}

function notEmbedded(name: string): ApiError {
  return new ApiError(
    400,
    'PGRST108',
    `'${name}' is not an embedded resource in this request`,
    null,
    `Verify that '${name}' is included in the 'select' query parameter.`,
  );
}

function descend(root: ReadNode, path: string[]): ReadNode {
  let node = root;
  for (const name of path) {
    const embed = findEmbed(node, name);
    if (!embed) throw notEmbedded(name);
    node = embed.node;
  }
  return node;
}

/** `embed=is.null` / `embed=not.is.null` filter parents by the embed's presence; other filters name columns. */
function attachFilter(node: ReadNode, filter: Filter): void {
  const embed = filter.field.json.length === 0 ? findEmbed(node, filter.field.name) : undefined;
  if (!embed) {
    node.filters.push(filter);
    return;
  }
  const v = filter.value;
  if (filter.op !== 'is' || v.kind !== 'is' || (v.value !== 'null' && v.value !== 'not_null')) {
    throw new ApiError(
      400,
      'PGRST120',
      `Bad operator on the '${filter.field.name}' embedded resource`,
      'Only is null or not is null filters are allowed on embedded resources',
    );
  }
  node.presence.push({ embed, isNull: (v.value === 'null') !== filter.negated });
}

export function relatedEmbed(node: ReadNode, name: string): EmbedItem {
  const embed = findEmbed(node, name);
  if (!embed) throw notEmbedded(name);
  if (!embed.toOne) {
    throw new ApiError(
      400,
      'PGRST118',
      `A related order on '${name}' is not possible`,
      `'${node.relation?.name}' and '${name}' do not form a many-to-one or one-to-one relationship`,
    );
  }
  return embed;
}

/**
 * Which relationship `source → name[!hint]` means: the target table's name, or (for many-to-one) the foreign key
 * column or constraint name; a hint narrows by constraint name or by a column on either side.
 */
function resolveRelationship(
  ctx: PlanContext,
  source: Relation | undefined,
  name: string,
  hint?: string,
): Relationship {
  const all = source ? (ctx.cache.relationships.get(qualified(source.schema, source.name)) ?? []) : [];
  let candidates = all.filter(
    (r) =>
      r.target.name === name ||
      (r.fkOnSource && (r.constraint === name || (r.sourceColumns.length === 1 && r.sourceColumns[0] === name))),
  );
  if (hint !== undefined) {
    candidates = candidates.filter(
      (r) =>
        r.constraint === hint ||
        r.target.name === hint ||
        (r.sourceColumns.length === 1 && r.sourceColumns[0] === hint) ||
        (r.targetColumns.length === 1 && r.targetColumns[0] === hint),
    );
  }
  if (candidates.length === 1) return candidates[0];
  const sourceName = source?.name ?? 'the function result';
  if (candidates.length === 0) {
    const suggestion = closest(
      name,
      all.map((r) => r.target.name),
    );
    throw new ApiError(
      400,
      'PGRST200',
      `Could not find a relationship between '${sourceName}' and '${name}' in the schema cache`,
      `Searched for a foreign key relationship between '${sourceName}' and '${name}' in the schema '${ctx.schema}', ` +
        'but no matches were found.',
      suggestion ? `Perhaps you meant '${suggestion}' instead of '${name}'.` : null,
    );
  }
  const describe = (r: Relationship) => {
    const [fkTable, fkCols, refTable, refCols] = r.fkOnSource
      ? [r.source.name, r.sourceColumns, r.target.name, r.targetColumns]
      : [r.target.name, r.targetColumns, r.source.name, r.sourceColumns];
    return `${r.constraint} using ${fkTable}(${fkCols.join(', ')}) and ${refTable}(${refCols.join(', ')})`;
  };
  throw new ApiError(
    300,
    'PGRST201',
    `Could not embed because more than one relationship was found for '${sourceName}' and '${name}'`,
    candidates.map((r) => ({
      cardinality: r.cardinality,
      embedding: `${sourceName} with ${r.target.name}`,
      relationship: describe(r),
    })),
    `Try changing '${name}' to one of the following: ${candidates.map((r) => `'${name}!${r.constraint}'`).join(', ')}. ` +
      `Find the desired relationship in the 'details' key.`,
  );
}
