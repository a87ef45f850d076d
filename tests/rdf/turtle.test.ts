import { describe, expect, it } from 'vitest';
import { parseTurtle } from '../../src/rdf/turtle.js';
import { TurtleSyntaxError } from '../../src/errors.js';

const PREFIX = '@prefix ex: <http://example.org/> .\n';

function syntaxError(text: string): TurtleSyntaxError {
  try {
    parseTurtle({ file: 'policy.ttl', text, baseIri: 'file:///policy.ttl' });
  } catch (error) {
    if (error instanceof TurtleSyntaxError) return error;
    throw error;
  }
  throw new Error('expected a syntax error');
}

describe('parseTurtle', () => {
  it('parses valid Turtle into quads', () => {
    const quads = parseTurtle({ file: 'p.ttl', text: `${PREFIX}ex:a ex:b ex:c, "d"@en .`, baseIri: 'file:///p.ttl' });
    expect(quads.map((q) => q.object.value)).toEqual(['http://example.org/c', 'd']);
  });

  it.each([
    ['a missing final dot', `${PREFIX}ex:a ex:b ex:c .\nex:d ex:e ex:f ex:g .\n`, 3, 16, /dot is expected/],
    ['an undeclared prefix', `${PREFIX}ex:a ex:b ex:c .\nex:d foo:e ex:f .\n`, 3, 6, /prefix foo: has not been declared/],
    ['an unterminated string', `${PREFIX}ex:a ex:b "open .\nex:c ex:d ex:e .\n`, 2, 11, /end of file/i],
    ['a predicate without object', `${PREFIX}ex:a ex:b ex:c .\nex:a ex:b .\n`, 3, 11, /not a valid RDF object/],
  ])('names file, line and column for %s', (_label, text, line, column, detail) => {
    const error = syntaxError(text);
    expect({ file: error.file, line: error.line, column: error.column }).toEqual({ file: 'policy.ttl', line, column });
    expect(error.detail).toMatch(detail);
    expect(error.message).toMatch(new RegExp(`^policy\\.ttl:${line}:${column}: `));
  });
});
