// GET / — a small OpenAPI 2.0 description of the exposed schema, built from the schema cache (PostgREST's root
// endpoint; supabase-js's getOpenApiSpec() reads it). Paths and column definitions only, no per-role filtering.
import type { Column, SchemaCache } from './schema-cache.ts';

function jsonType(c: Column): { type: string; items?: { type: string } } {
  if (c.type.endsWith('[]')) return { type: 'array', items: { type: 'string' } };
  if (/^(smallint|integer|bigint)$/.test(c.type)) return { type: 'integer' };
  if (/^(numeric|real|double precision)/.test(c.type)) return { type: 'number' };
  if (c.type === 'boolean') return { type: 'boolean' };
  if (c.isJson) return { type: 'object' } as { type: string };
  return { type: 'string' };
}

export function openApi(cache: SchemaCache, schema: string, host: string): string {
  const paths: Record<string, unknown> = {
    '/': { get: { tags: ['Introspection'], summary: 'OpenAPI description (this document)' } },
  };
  const definitions: Record<string, unknown> = {};
  for (const rel of cache.relations.values()) {
    if (rel.schema !== schema) continue;
    paths[`/${rel.name}`] = {
      get: { tags: [rel.name] },
      post: { tags: [rel.name] },
      patch: { tags: [rel.name] },
      delete: { tags: [rel.name] },
    };
    definitions[rel.name] = {
      type: 'object',
      required: rel.columns.filter((c) => !c.nullable && c.defaultExpr === null).map((c) => c.name),
      properties: Object.fromEntries(rel.columns.map((c) => [c.name, { format: c.type, ...jsonType(c) }])),
    };
  }
  for (const [key, defs] of cache.functions) {
    if (!key.startsWith(`${schema}.`)) continue;
    const fn = defs[0];
    paths[`/rpc/${fn.name}`] = {
      [fn.volatility === 'volatile' ? 'post' : 'get']: {
        tags: ['(rpc) ' + fn.name],
        parameters: fn.params.map((p) => ({
          name: p.name,
          required: !p.hasDefault,
          format: p.type,
          in: 'query',
          type: 'string',
        })),
      },
    };
  }
  return JSON.stringify({
    swagger: '2.0',
    info: { title: 'standard public schema', version: '12.2.0 (stack/postgrest)', description: '' },
    host,
    basePath: '/',
    schemes: ['http'],
    consumes: [
      'application/json',
      'application/vnd.pgrst.object+json;nulls=stripped',
      'application/vnd.pgrst.object+json',
      'text/csv',
    ],
    produces: [
      'application/json',
      'application/vnd.pgrst.object+json;nulls=stripped',
      'application/vnd.pgrst.object+json',
      'text/csv',
    ],
    paths,
    definitions,
  });
}
