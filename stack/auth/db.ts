// The database connection (as supabase_auth_admin, like GoTrue) and the transaction helper every write sequence
// goes through.
import postgres from 'postgres';
import type { ApiError } from './errors.ts';

export type Sql = postgres.Sql;
/** Anything queries can run on: the pool or an open transaction. */
export type Db = postgres.ISql;
export type Tx = postgres.TransactionSql;

export function connect(url: string, max: number): Sql {
  return postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: 'stack-auth' },
  });
}

/** Returned from a transaction body: commit what was written, then fail the request (GoTrue's NewCommitWithError). */
export class CommitThenFail {
  constructor(readonly error: ApiError) {}
}

export async function transaction<T>(sql: Sql, body: (tx: Tx) => Promise<T | CommitThenFail>): Promise<T> {
  const result = (await sql.begin(body)) as T | CommitThenFail;
  if (result instanceof CommitThenFail) throw result.error;
  return result;
}

/** A PostgreSQL error's SQLSTATE, if `err` is one. */
export const sqlState = (err: unknown): string | undefined =>
  err instanceof postgres.PostgresError ? err.code : undefined;
