// The database connection (as supabase_auth_admin, like GoTrue) and the transaction helper every write sequence
// goes through.
import postgres from 'postgres';
import { fail, type ApiError } from './errors.ts';

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

/**
 * A statement that failed on a value the request carried: a data exception (class 22: too long for its column, not
 * valid for its type, out of range) or a CHECK constraint, typically the project's own, reached through a trigger on
 * auth.users (profiles.full_name is at most 200 characters). The client's mistake, so a 400, not a 500; the request's
 * transaction has rolled back, so nothing of it is stored. The body checks in http.ts refuse what they can earlier.
 */
export function refusedValue(err: unknown): ApiError | undefined {
  const state = sqlState(err);
  if (state === undefined || !(state.startsWith('22') || state === '23514')) return undefined;
  return fail.valueRefused((err as Error).message);
}
