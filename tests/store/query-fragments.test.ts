/**
 * Query fragments (src/store/query-fragments.ts): an include line becomes the
 * fragment's lines, indented as it is, its parameters renamed; a wrong include
 * is an error that names the file and line; the named queries that include
 * the run-results fragments load with it written out.
 */

import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { includeFragments, type FragmentSyntax } from '../../src/store/query-fragments.js';
import { loadNamedQuery, namedQueryNames } from '../../src/store/named-queries.js';

const SPARQL: FragmentSyntax = { language: 'sparql', comment: '#', extension: '.rq' };
const CYPHER: FragmentSyntax = { language: 'cypher', comment: '//', extension: '.cypher' };

/** A query folder holding the given fragments. */
async function folderWith(fragments: Record<string, string>): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'studio-fragments-'));
  await mkdir(path.join(folder, 'fragments'));
  for (const [file, text] of Object.entries(fragments)) await writeFile(path.join(folder, 'fragments', file), text);
  return folder;
}

const LABELLED = [
  '# Things with their label.',
  '# @fragment labelled(?thing, ?label)',
  '{',
  '  #@values',
  '  # ?thing keeps its name in a comment.',
  '  ?thing rdfs:label ?label ; ex:note "?thing in a string" .',
  '  ?thingy ex:other ?label2 .',
  '}',
  '',
].join('\n');

describe('query fragments', () => {
  it('puts a SPARQL fragment in place of its include line, indented as it, with its parameters renamed', async () => {
    const folder = await folderWith({ 'labelled.rq': LABELLED });
    const query = ['SELECT ?rule ?text WHERE {', '  #@include labelled(?rule, ?text)', '  ?rule ex:in ?policy .', '}'].join('\n');
    expect(await includeFragments(query, 'q.rq', folder, SPARQL)).toBe(
      [
        'SELECT ?rule ?text WHERE {',
        '  {',
        '    #@values',
        '    # ?thing keeps its name in a comment.',
        '    ?rule rdfs:label ?text ; ex:note "?thing in a string" .',
        '    ?thingy ex:other ?label2 .',
        '  }',
        '  ?rule ex:in ?policy .',
        '}',
      ].join('\n'),
    );
    // Included twice, with other names each time.
    const twice = await includeFragments('#@include labelled(?a, ?b)\n#@include labelled(?c, ?d)', 'q.rq', folder, SPARQL);
    expect(twice).toContain('?a rdfs:label ?b ;');
    expect(twice).toContain('?c rdfs:label ?d ;');
    // A constant stands for a parameter: a prefixed name or an IRI.
    const constant = await includeFragments('#@include labelled(?rule, <https://example.org/label>)', 'q.rq', folder, SPARQL);
    expect(constant).toContain('?rule rdfs:label <https://example.org/label> ;');
    // A query with no include line is left as it is.
    expect(await includeFragments('SELECT * WHERE { ?s ?p ?o }', 'q.rq', folder, SPARQL)).toBe('SELECT * WHERE { ?s ?p ?o }');
  });

  it('renames a Cypher parameter wherever it is a name (a variable, a label, a relationship type), never in a string, a property or a $parameter', async () => {
    const folder = await folderWith({
      'linked.cypher': [
        '// Nodes linked to a node.',
        '// @fragment linked(node, LINK, other)',
        'CALL (node) {',
        "  MATCH (node)-[:LINK]->(other) WHERE other.node = $node AND other.name <> 'node'",
        '  RETURN other',
        '}',
      ].join('\n'),
    });
    const text = await includeFragments('MATCH (rule)\n// @include linked(rule, TESTS_RULE, result)\nRETURN result', 'q.cypher', folder, CYPHER);
    expect(text).toBe(
      [
        'MATCH (rule)',
        'CALL (rule) {',
        "  MATCH (rule)-[:TESTS_RULE]->(result) WHERE result.node = $node AND result.name <> 'node'",
        '  RETURN result',
        '}',
        'RETURN result',
      ].join('\n'),
    );
  });

  it('refuses an unknown fragment, a wrong number or form of arguments, and a query using a fragment variable, naming the file and line', async () => {
    const folder = await folderWith({ 'labelled.rq': LABELLED });
    const include = (line: string) => includeFragments(`SELECT * WHERE {\n${line}\n}`, 'sparql/q.rq', folder, SPARQL);
    await expect(include('  #@include missing(?a)')).rejects.toThrow(/sparql\/q\.rq, line 2: unknown fragment 'missing'; known: labelled/);
    await expect(include('  #@include labelled(?a)')).rejects.toThrow(/sparql\/q\.rq, line 2: fragment 'labelled' takes 2 argument\(s\) \(\?thing, \?label\), given 1/);
    await expect(include('  #@include labelled(?a, ?b, ?c)')).rejects.toThrow(/line 2: .*given 3/);
    await expect(include('  #@include labelled(a, ?b)')).rejects.toThrow(/line 2: @include labelled: 'a' is not a SPARQL variable \(\?name\), prefixed name or IRI/);
    await expect(include('  #@include labelled')).rejects.toThrow(/line 2: @include must be followed by <name>\(\?a, \?b\)/);
    await expect(include('  #@include labelled(?a, ?b)\n  ?thingy ex:p ?a .')).rejects.toThrow(/sparql\/q\.rq: uses \?thingy, a variable of the fragment 'labelled'/);
  });

  it('refuses a fragment without its @fragment line, or declaring another name, or including a fragment', async () => {
    const folder = await folderWith({
      'bare.rq': '# No declaration.\n?s ?p ?o .\n',
      'named.rq': '# @fragment other(?s)\n?s ?p ?o .\n',
      'nested.rq': '# @fragment nested(?s)\n#@include bare(?s)\n',
      'constant.rq': '# @fragment constant(?s, ex:p)\n?s ex:p ?o .\n',
    });
    const include = (name: string) => includeFragments(`#@include ${name}(?x)`, 'q.rq', folder, SPARQL);
    await expect(include('bare')).rejects.toThrow(/fragments\/bare\.rq: has no "@fragment bare\(\.\.\.\)" line closing/);
    await expect(include('named')).rejects.toThrow(/fragments\/named\.rq: declares the fragment 'other', not 'named'/);
    await expect(include('nested')).rejects.toThrow(/fragments\/nested\.rq: includes a fragment/);
    await expect(include('constant')).rejects.toThrow(/fragments\/constant\.rq: @fragment constant: 'ex:p' is not a SPARQL variable \(\?name\)$/);
  });

  it('loads the named queries with their fragments written out, the run renamed in each', async () => {
    for (const language of ['sparql', 'cypher'] as const) {
      for (const name of await namedQueryNames(language)) expect((await loadNamedQuery(name, language)).text, name).not.toMatch(/@include/);
    }
    const sparql = (await loadNamedQuery('audit-rule-status', 'sparql')).text;
    expect(sparql).toContain('?before studio:carriesOverFrom+ ?source .');
    expect(sparql).toContain('?after studio:carriesOverFrom* ?between');
    const history = (await loadNamedQuery('audit-history-of-rule', 'sparql')).text;
    expect(history).toContain('?result studio:testsRule ?rule ; a studio:AuditResult ; studio:decisive true ; prov:wasGeneratedBy ?run .');
    const cypher = (await loadNamedQuery('audit-side-by-side', 'cypher')).text;
    expect(cypher).toContain('MATCH path = (first)-[:CARRIES_OVER_FROM*1..]->(source)');
    expect(cypher).toContain('MATCH (scenario)<-[:RAN_SCENARIO]-(b:AuditResult)-[:prov__wasGeneratedBy]->(source)\n');
    expect(cypher).toContain('MATCH (b)-[:RAN_SCENARIO]->(carried), path = (second)-[:CARRIES_OVER_FROM*1..]->(source)');
    // The header is the query's own: its purpose and parameters.
    expect((await loadNamedQuery('audit-side-by-side', 'cypher')).params).toEqual(new Map([['first', 'iri'], ['second', 'iri']]));
  });
});
