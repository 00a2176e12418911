// What every operation handler (read, writers, rpc) receives: the parsed request and where to run it.
import type { Identity } from './context.ts';
import type { Sql } from './db.ts';
import type { QueryParams } from './query-params.ts';
import type { MediaType, Preferences } from './request.ts';
import type { SchemaCache } from './schema-cache.ts';

export interface RestConfig {
  schemas: string[];
  extraSearchPath: string[];
  maxRows: number;
  anonRole: string;
  jwtSecret: string;
}

export interface RequestContext {
  sql: Sql;
  cache: SchemaCache;
  config: RestConfig;
  method: string;
  schema: string;
  /** A profile header was sent: responses with a body then name the schema in Content-Profile. */
  profileGiven: boolean;
  identity: Identity;
  /** search_path, role, request.* — applied first in the transaction. */
  settings: Array<[string, string]>;
  timezoneApplied: boolean;
  prefer: Preferences;
  media: MediaType;
  query: QueryParams;
  range?: { offset: number; limit?: number };
  body: string;
  contentType?: string;
}
