// Quoting for SQL text the services build themselves (Realtime's probes and change checks, PostgREST's statements):
// one rule for identifiers and one for literals. A NUL cannot be in PostgreSQL text and would end the statement
// early on the wire, so both refuse it; each caller may say what the refusal is in its own terms.

/** What `quoteIdent`/`quoteLiteral` throw for a NUL unless the caller passes its own error. */
const nulRefusal = (kind: 'identifier' | 'literal') => new Error(`NUL byte in SQL ${kind}`);

/** A double-quoted identifier, `"` doubled; a NUL throws `refuse()`. */
export function quoteIdent(name: string, refuse: () => Error = () => nulRefusal('identifier')): string {
  if (name.includes('\u0000')) throw refuse();
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A string literal quoted as libpq's PQescapeLiteral does: `'…'` with quotes doubled, and the E'…' form (backslashes
 * doubled too) when there is a backslash, so it means the same whatever standard_conforming_strings says. A NUL
 * throws `refuse()`.
 */
export function quoteLiteral(value: string, refuse: () => Error = () => nulRefusal('literal')): string {
  if (value.includes('\u0000')) throw refuse();
  const quoted = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}
