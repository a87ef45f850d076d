/**
 * Bearer tokens that carry roles. Only SHA-256 hashes of tokens are
 * configured (a JSON file, or the same JSON in STUDIO_API_TOKENS); a presented
 * token is hashed and compared with every configured hash in constant time.
 * Each route names the roles that may call it in its config.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConfigError } from '../errors.js';
import { HttpProblem } from './problem.js';

/**
 * reader: reads policies, rules and queries; engineer: also changes policies;
 * auditor: reads, and will run audits and sign them off; admin: everything.
 */
export const ROLES = ['reader', 'engineer', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Every role: the routes that only read. */
export const ANY_ROLE: readonly Role[] = ROLES;
/** The roles that may change policies. */
export const POLICY_WRITERS: readonly Role[] = ['engineer', 'admin'];
/** The roles that start and cancel audit jobs. */
export const AUDIT_STARTERS: readonly Role[] = ['auditor', 'admin'];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The roles that may call the route; a route without it is for admins only. */
    roles?: readonly Role[];
    /** A catch-all that answers for paths no other route takes (404 for an unknown named query): its methods are not the path's, so a 405's Allow leaves them out. */
    fallback?: boolean;
  }
  interface FastifyRequest {
    /** The token's name and roles, once authenticated. */
    principal?: TokenEntry;
  }
}

/** One configured token: its hash, the roles it carries, and a name for logs. */
export interface TokenEntry {
  readonly name: string;
  readonly sha256: string;
  readonly roles: readonly Role[];
}

/** The format of the tokens file and of STUDIO_API_TOKENS. */
export interface TokensFile {
  tokens: { name?: string; sha256: string; roles: string[] }[];
}

/** Hex SHA-256 of a token, as the tokens file stores it. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A fresh random token (256 bits, base64url). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The configured tokens. */
export class TokenTable {
  private readonly hashes: readonly { entry: TokenEntry; digest: Buffer }[];

  constructor(entries: readonly TokenEntry[]) {
    this.hashes = entries.map((entry) => ({ entry, digest: Buffer.from(entry.sha256, 'hex') }));
  }

  get size(): number {
    return this.hashes.length;
  }

  /** Parses the JSON of a tokens file; `origin` names it in errors. */
  static fromJson(text: string, origin: string): TokenTable {
    let parsed: TokensFile;
    try {
      parsed = JSON.parse(text) as TokensFile;
    } catch (error) {
      throw new ConfigError(`${origin}: not valid JSON (${String(error)})`);
    }
    if (!parsed || !Array.isArray(parsed.tokens)) throw new ConfigError(`${origin}: expected {"tokens": [{"name", "sha256", "roles"}]}`);
    const entries = parsed.tokens.map((token, index): TokenEntry => {
      const where = `${origin}: tokens[${index}]`;
      if (typeof token.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(token.sha256)) {
        throw new ConfigError(`${where}: sha256 must be the 64 lowercase hex digits of the token's SHA-256 (never the token itself)`);
      }
      if (!Array.isArray(token.roles) || token.roles.length === 0 || !token.roles.every((r) => (ROLES as readonly string[]).includes(r))) {
        throw new ConfigError(`${where}: roles must be a non-empty list of ${ROLES.join(', ')}`);
      }
      return { name: token.name ?? `token ${index}`, sha256: token.sha256, roles: token.roles as Role[] };
    });
    return new TokenTable(entries);
  }

  /** Reads the tokens from a file, or else from STUDIO_API_TOKENS; none configured is a ConfigError. */
  static async load(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<TokenTable> {
    if (file) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new ConfigError(`${file}: cannot read the tokens file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
      return TokenTable.fromJson(text, file);
    }
    if (env.STUDIO_API_TOKENS) return TokenTable.fromJson(env.STUDIO_API_TOKENS, 'STUDIO_API_TOKENS');
    throw new ConfigError("no API tokens configured: give --tokens <file> or STUDIO_API_TOKENS; 'studio serve --new-token <roles>' makes one");
  }

  /** The entry whose hash matches the token; every entry is compared, in constant time, whatever matches. */
  authenticate(token: string): TokenEntry | undefined {
    const digest = createHash('sha256').update(token, 'utf8').digest();
    let found: TokenEntry | undefined;
    for (const { entry, digest: expected } of this.hashes) {
      if (timingSafeEqual(digest, expected) && found === undefined) found = entry;
    }
    return found;
  }
}

const BEARER = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)[ ]*$/;

/** The onRequest hook of the authenticated routes: 401 without a known token, 403 without a permitted role. */
export function authenticate(tokens: TokenTable) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : BEARER.exec(header);
    if (!match) {
      reply.header('www-authenticate', 'Bearer realm="studio"');
      throw new HttpProblem(
        401,
        'unauthenticated',
        'Authentication required',
        header === undefined ? 'Send "Authorization: Bearer <token>"; tokens are configured with --tokens or STUDIO_API_TOKENS.' : 'The Authorization header must read "Bearer <token>".',
      );
    }
    const entry = tokens.authenticate(match[1]!);
    if (!entry) {
      reply.header('www-authenticate', 'Bearer realm="studio", error="invalid_token"');
      throw new HttpProblem(401, 'unauthenticated', 'Authentication required', 'The bearer token is not one the server knows.');
    }
    request.principal = entry;
    const allowed = request.routeOptions.config.roles ?? ['admin'];
    if (!entry.roles.some((role) => allowed.includes(role))) {
      throw new HttpProblem(403, 'forbidden', 'Forbidden', `${request.method} ${request.routeOptions.url ?? request.url} needs one of the roles ${allowed.join(', ')}; this token has ${entry.roles.join(', ')}.`);
    }
  };
}
