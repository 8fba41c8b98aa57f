import { CqlSyntaxError, splitCql } from './cql-splitter';

describe('splitCql', () => {
  it('splits statements at semicolons and trims them', () => {
    const source = `
      CREATE TABLE a (id int PRIMARY KEY);
      CREATE TABLE b (
        id int PRIMARY KEY
      );
    `;
    expect(splitCql(source)).toEqual(['CREATE TABLE a (id int PRIMARY KEY)', 'CREATE TABLE b (\n        id int PRIMARY KEY\n      )']);
  });

  it('keeps a last statement without a semicolon', () => {
    expect(splitCql('SELECT 1 FROM t;\nSELECT 2 FROM t')).toEqual(['SELECT 1 FROM t', 'SELECT 2 FROM t']);
  });

  it('drops -- and // line comments and /* */ block comments', () => {
    const source = [
      '-- the messages table; partitioned by channel',
      'CREATE TABLE m ( -- trailing; comment',
      '  id int PRIMARY KEY // another; one',
      ') /* block; comment',
      'over lines; */ WITH comment = \'x\';',
      '-- only a comment at the end;',
    ].join('\n');
    const statements = splitCql(source);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^CREATE TABLE m \(\s+id int PRIMARY KEY\s+\)\s+WITH comment = 'x'$/);
  });

  it('does not split inside string literals, escaped quotes, $$ strings or quoted identifiers', () => {
    const source = [
      "INSERT INTO t (k, v) VALUES ('a;b', 'it''s; -- not a comment');",
      'CREATE FUNCTION f() RETURNS NULL ON NULL INPUT RETURNS text LANGUAGE java AS $$ return "x;y"; $$;',
      'SELECT "weird;name" FROM t;',
    ].join('\n');
    expect(splitCql(source)).toEqual([
      "INSERT INTO t (k, v) VALUES ('a;b', 'it''s; -- not a comment')",
      'CREATE FUNCTION f() RETURNS NULL ON NULL INPUT RETURNS text LANGUAGE java AS $$ return "x;y"; $$',
      'SELECT "weird;name" FROM t',
    ]);
  });

  it('normalises Windows line endings and ignores empty statements', () => {
    expect(splitCql('SELECT 1 FROM t;\r\n;\r\n  ;\r\nSELECT 2 FROM t;\r\n')).toEqual(['SELECT 1 FROM t', 'SELECT 2 FROM t']);
  });

  it('returns nothing for a file of comments', () => {
    expect(splitCql('-- nothing\n/* at all */\n')).toEqual([]);
  });

  it('reports unterminated strings and comments with their line', () => {
    expect(() => splitCql("SELECT 1;\nINSERT INTO t (v) VALUES ('open);")).toThrow(CqlSyntaxError);
    expect(() => splitCql("SELECT 1;\nINSERT INTO t (v) VALUES ('open);")).toThrow(/unterminated string \(line 2\)/);
    expect(() => splitCql('SELECT 1 /* never closed')).toThrow(/unterminated \/\* comment/);
    expect(() => splitCql('AS $$ body')).toThrow(/\$\$/);
  });
});
