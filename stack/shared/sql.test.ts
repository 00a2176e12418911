import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quoteIdent, quoteLiteral } from './sql.ts';

describe('stack/shared/sql', () => {
  it("quotes identifiers with \" doubled and literals with ' doubled, E'…' when there is a backslash", () => {
    assert.equal(quoteIdent('a"b'), '"a""b"');
    assert.equal(quoteLiteral("it's"), "'it''s'");
    assert.equal(quoteLiteral("a\\b'c"), "E'a\\\\b''c'");
  });

  it("refuses a NUL in either, with the caller's error when it gives one", () => {
    assert.throws(() => quoteIdent('a\u0000'), /NUL byte in SQL identifier/);
    assert.throws(() => quoteLiteral('\u0000'), /NUL byte in SQL literal/);
    assert.throws(() => quoteLiteral('\u0000', () => new RangeError('mine')), RangeError);
  });
});
