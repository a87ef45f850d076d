/**
 * Before any test file runs, builds what several files need
 * (tests/helpers/builds.ts): the CLI their child processes run, and the
 * studio page. Each project of vitest.config.ts runs this; the second finds
 * both built.
 */

import type { TestProject } from 'vitest/node';
import { buildCli, buildWeb } from './helpers/builds.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The transpiled CLI entry (tests/helpers/builds.ts) the child processes run. */
    studioCli: string;
  }
}

export async function setup(project: TestProject): Promise<void> {
  project.provide('studioCli', await buildCli());
  await buildWeb();
}
