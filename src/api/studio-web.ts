/**
 * The studio in a browser: the page `npm run build` bundles from web/ into
 * dist/web, served at / beside the API (same origin, so the page calls /v1
 * with the token it asks for). Its routes are hidden from the OpenAPI
 * document, and each file gets its own route (no wildcard), so that every
 * other path still answers 404 or 405 as the API's do.
 */

import { access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { HttpProblem } from './problem.js';

/** Where the built page is: dist/web of the package, whether this file runs from src/ (tsx) or dist/. */
export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web');

/**
 * The page may load only its own files and call only its own origin: policy text and model answers shown
 * in it can never bring in a script or send the token elsewhere.
 */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface StudioWebOptions {
  /** The folder of the built page (default WEB_DIR). */
  readonly root?: string;
}

/** Registers the page's files at /, or, when the page was never built, a / that says how to build it. */
export async function studioWeb(app: FastifyInstance, options: StudioWebOptions = {}): Promise<void> {
  const root = options.root ?? WEB_DIR;
  const built = await access(path.join(root, 'index.html')).then(
    () => true,
    () => false,
  );
  if (!built) {
    app.get('/', { schema: { hide: true } }, async () => {
      throw new HttpProblem(503, 'studio-page-not-built', 'The studio page is not built', `No ${path.basename(root)}/index.html: run 'npm run build' (npm install runs it) to bundle the page from web/.`);
    });
    return;
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: 'index.html',
    schemaHide: true,
    setHeaders: (reply) => {
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
    },
  });
}
