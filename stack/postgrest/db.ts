// The connection pool, logged in as `authenticator` like PostgREST. Every value we bind is a string sent as an
// *unknown*-typed parameter so PostgreSQL coerces it to whatever the context needs (column type, function argument),
// exactly as PostgREST's literals behave (bad input → 22P02 → 400).
import postgres from 'postgres';

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

export function createPool(dbUrl: string, opts: { max?: number; applicationName?: string } = {}): Sql {
  const sql = postgres(dbUrl, {
    max: opts.max ?? 10,
    // Statements are built per request: naming and caching them would only fill the server's memory.
    prepare: false,
    // No type round trip at connect: we never bind arrays, and results come back as JSON text.
    fetch_types: false,
    onnotice: () => {},
    connection: { application_name: opts.applicationName ?? 'stack-rest' },
  });
  // The driver serializes a parameter by the type the server infers for it (JSON.stringify for json, Date parsing
  // for timestamps, hex for bytea). Our parameters are already the text PostgreSQL should parse, so drop every
  // serializer and let the raw string through.
  const serializers = (sql.options as unknown as { serializers: Record<number, unknown> }).serializers;
  for (const key of Object.keys(serializers)) delete serializers[Number(key)];
  return sql;
}
