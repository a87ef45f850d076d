import { EmbeddedStore } from '/work/wt/web19/src/store/oxigraph-store.js';
import { readTurtle } from '/work/wt/web19/src/rdf/turtle.js';
const store = await EmbeddedStore.open();
const file = process.argv[2]!;
const loaded = await store.loadPolicy(await readTurtle(file));
const rows = await store.namedQuery('generation-terms', { policy: loaded.policy });
for (const r of rows) if (r.type === 'Role' || r.type === 'Action') console.log(r.type, r.term, r.label);
await store.close();
