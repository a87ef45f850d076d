/** Who the token is and which writes its roles permit (GET /v1/session), read once per token. */

import { getJson, savedToken } from './api.js';

export interface Session {
  name: string;
  roles: string[];
  may: { changePolicies: boolean; startAudits: boolean; review: boolean; ask: boolean; recordPreferences: boolean };
}

let current: { token: string; session: Promise<Session> } | null = null;

export function session(): Promise<Session> {
  const token = savedToken() ?? '';
  if (!current || current.token !== token) current = { token, session: getJson<Session>('/v1/session', token) };
  return current.session;
}
