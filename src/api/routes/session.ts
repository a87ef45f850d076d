/**
 * /v1/session: who the token is and what its roles let it do, so that a
 * client (the studio page) shows only the actions the server would accept.
 * The server still checks every request's roles itself.
 */

import type { FastifyInstance } from 'fastify';
import { ANY_ROLE, AUDIT_STARTERS, POLICY_WRITERS, ROLES } from '../auth.js';
import { REVIEWERS } from './audits.js';
import { ASKERS, PREFERENCE_WRITERS } from './playground.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, problems } from '../schemas.js';

export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/session',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags: ['service'],
        summary: "The token's name, roles and permitted writes",
        security: BEARER_SECURITY,
        response: {
          200: {
            type: 'object',
            properties: {
              name: { type: 'string', description: 'the name the tokens file gives the token' },
              roles: { type: 'array', items: { type: 'string', enum: ROLES } },
              may: {
                type: 'object',
                description: 'the writes the roles permit',
                properties: {
                  changePolicies: { type: 'boolean', description: 'upload, replace and remove policies; record conflicts; start generation jobs' },
                  startAudits: { type: 'boolean', description: 'start and cancel audit jobs' },
                  review: { type: 'boolean', description: "record reviewers' verdicts on audit results (POST /v1/audits/{run}/reviews)" },
                  ask: { type: 'boolean', description: 'ask the model under audit and the baseline a question in the playground (POST /v1/policies/{policy}/playground)' },
                  recordPreferences: { type: 'boolean', description: 'record which of two answers is better (POST /v1/policies/{policy}/preferences)' },
                },
                required: ['changePolicies', 'startAudits', 'review', 'ask', 'recordPreferences'],
              },
            },
            required: ['name', 'roles', 'may'],
          },
          ...problems(...AUTH_PROBLEMS),
        },
      },
    },
    async (request) => {
      const { name, roles } = request.principal!;
      return {
        name,
        roles,
        may: {
          changePolicies: roles.some((r) => POLICY_WRITERS.includes(r)),
          startAudits: roles.some((r) => AUDIT_STARTERS.includes(r)),
          review: roles.some((r) => REVIEWERS.includes(r)),
          ask: roles.some((r) => ASKERS.includes(r)),
          recordPreferences: roles.some((r) => PREFERENCE_WRITERS.includes(r)),
        },
      };
    },
  );
}
