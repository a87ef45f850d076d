import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The test files that use Neo4j: those that import its helpers. They share
 * one Neo4j server whose database they empty, so they run one at a time,
 * after the others; the others run two at a time (the suite's machine has 2
 * cores: see the README). Files are not isolated from each other: a worker
 * process keeps the modules it imported for the next file rather than
 * importing src/ again for each (measured: a quarter less CPU for
 * tests/auditors). Tests keep no state in modules, so none sees another's.
 */
const NEO4J_HELPERS = /from '(\.\.\/)+helpers\/(neo4j|both-stores)\.js'/;
const ROOT = path.dirname(fileURLToPath(import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(file);
    return entry.name.endsWith('.test.ts') ? [file] : [];
  });
}

const neo4jFiles = testFiles('tests').filter((file) => NEO4J_HELPERS.test(readFileSync(path.join(ROOT, file), 'utf8')));

const shared = {
  isolate: false,
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'parallel',
          globalSetup: ['tests/global-setup.ts'],
          include: ['tests/**/*.test.ts'],
          exclude: neo4jFiles,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'neo4j',
          globalSetup: ['tests/global-setup.ts', 'tests/neo4j-setup.ts'],
          include: neo4jFiles,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
