/** studio query: a read-only SPARQL query, or a named query, over the loaded graph. */

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidOptionError } from '../../errors.js';
import type { QueryAnswer } from '../../store/graph-store.js';
import { serializeQuads } from '../../rdf/serialize.js';
import { loadNamedQuery, type TableValue } from '../../store/named-queries.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { formatTable, printJson } from '../output.js';

export function registerQuery(program: Command): void {
  storeOptions(
    program
      .command('query')
      .description('run a read-only query: --sparql <file|text> (embedded store), --cypher <file|text> (Neo4j), or --named <name> with --param key=value (either)')
      .option('--sparql <fileOrText>', 'a SPARQL query, or a file holding one')
      .option('--cypher <fileOrText>', 'a Cypher query, or a file holding one (with --store neo4j)')
      .option('--named <name>', 'a named query from sparql/ (e.g. rule-context)')
      .option('--param <key=value...>', 'parameters of a named query (IRIs as full IRIs, a table as a JSON array of rows)')
      .option('--json', 'print the answer as JSON'),
  ).action(async (options: StoreOptions & { sparql?: string; cypher?: string; named?: string; param?: string[]; json?: boolean }) => {
    const given = [options.sparql, options.cypher, options.named].filter((o) => o !== undefined);
    if (given.length !== 1) throw new InvalidOptionError('give exactly one of --sparql, --cypher or --named');
    const store = await openStore(options);
    try {
      let answer: QueryAnswer;
      if (options.named) {
        const declared = (await loadNamedQuery(options.named, store.engine === 'neo4j' ? 'cypher' : 'sparql')).params;
        const params = Object.fromEntries(
          (options.param ?? []).map((pair) => {
            const at = pair.indexOf('=');
            if (at < 1) throw new InvalidOptionError(`--param ${pair}: write key=value`);
            const [key, text] = [pair.slice(0, at), pair.slice(at + 1)];
            // Command-line values are text: read them as the query declares them (a table as JSON).
            const type = declared.get(key);
            if (typeof type === 'object') return [key, tableFromText(key, text)];
            const value = type === 'integer' && /^-?\d+$/.test(text) ? Number(text) : type === 'boolean' && /^(true|false)$/.test(text) ? text === 'true' : text;
            return [key, value];
          }),
        );
        const rows = await store.namedQuery(options.named, params);
        answer = { kind: 'rows', columns: rows[0] ? Object.keys(rows[0]) : [], rows };
      } else {
        const language = options.sparql !== undefined ? 'sparql' : 'cypher';
        const wanted = language === 'sparql' ? 'embedded' : 'neo4j';
        if (store.engine !== wanted) {
          throw new InvalidOptionError(`--${language} runs on the ${wanted} store, and this is the ${store.engine} store: ${language === 'sparql' ? "use --cypher, or --store embedded" : 'add --store neo4j, or use --sparql'}`);
        }
        const given = (options.sparql ?? options.cypher)!;
        const text = existsSync(given) ? await readFile(given, 'utf8') : given;
        answer = await store.query(text);
      }
      printAnswer(answer, Boolean(options.json));
    } finally {
      await store.close();
    }
  });
}

function printAnswer(answer: QueryAnswer, json: boolean): void {
  if (answer.kind === 'boolean') {
    if (json) printJson({ boolean: answer.value });
    else process.stdout.write(`${answer.value}\n`);
  } else if (answer.kind === 'quads') {
    process.stdout.write(serializeQuads(answer.quads, json ? 'jsonld' : 'ttl'));
  } else if (json) {
    printJson(answer.rows);
  } else {
    process.stdout.write(formatTable(answer.columns, answer.rows.map((row) => answer.columns.map((c) => row[c] ?? null))) + '\n');
    process.stdout.write(`${answer.rows.length} row${answer.rows.length === 1 ? '' : 's'}\n`);
  }
}

/** A table parameter given on the command line: JSON text (the store checks its rows). */
function tableFromText(key: string, text: string): TableValue {
  try {
    return JSON.parse(text) as TableValue;
  } catch {
    throw new InvalidOptionError(`--param ${key}=...: ${key} is a table, give it as a JSON array of rows`);
  }
}
