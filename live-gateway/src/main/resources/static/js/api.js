// The public HTTP API of Pollster (docs/api.md), as a browser sees it. Nothing here is private to
// this page: a frontend team can copy this module as it is.

/** An RFC 9457 problem answered by the API, e.g. slug "already-voted" with status 409. */
export class ApiProblem extends Error {
  constructor(status, problem, retryAfter) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    // "https://pollster.io/problems/already-voted" → "already-voted": the stable part to branch on
    this.slug = String(problem.type || '').split('/').pop() || 'unknown';
    this.title = problem.title || '';
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.retryAfter = retryAfter;
  }
}

// ---- Identity ------------------------------------------------------------------------------
// Pollster does not log users in: an upstream gateway does (docs/api.md "Identity"). The page lets
// you play that gateway: in "header" mode it sends X-User-Id (a UUID kept in localStorage), in
// "jwt" mode a pasted token as "Authorization: Bearer …" (and as ?access_token= for WebSocket and
// SSE, which cannot set headers).

const KEYS = {
  mode: 'pollster.demo.mode',
  user: 'pollster.demo.user-id',
  token: 'pollster.demo.token',
  device: 'pollster.demo.device-id',
};

// localStorage throws in some private modes; fall back to memory for this tab.
const memory = new Map();
export function load(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return memory.get(key) ?? null;
  }
}
export function store(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    memory.set(key, value);
  }
}

/** A random UUID; crypto.randomUUID exists only on https or localhost, getRandomValues everywhere. */
export function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; // version 4
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function kept(key) {
  let value = load(key);
  if (!value) {
    value = newUuid();
    store(key, value);
  }
  return value;
}

export const identity = {
  get mode() {
    return load(KEYS.mode) === 'jwt' ? 'jwt' : 'header';
  },
  set mode(mode) {
    store(KEYS.mode, mode === 'jwt' ? 'jwt' : 'header');
  },
  get userId() {
    return kept(KEYS.user);
  },
  set userId(id) {
    store(KEYS.user, id);
  },
  get token() {
    return load(KEYS.token) || '';
  },
  set token(token) {
    store(KEYS.token, token.trim());
  },
  /** The X-Device-Id of anonymous "device" polls: one per browser. */
  get deviceId() {
    return kept(KEYS.device);
  },

  /** Who the server will take us for: the header's UUID, or the token's `sub` claim. */
  currentUserId() {
    if (this.mode === 'header') return this.userId;
    try {
      const payload = this.token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(payload)).sub || null;
    } catch {
      return null;
    }
  },

  /** Headers of a request that needs a user. */
  userHeaders() {
    if (this.mode === 'jwt') return this.token ? { Authorization: `Bearer ${this.token}` } : {};
    return { 'X-User-Id': this.userId };
  },

  /** Headers of a vote on this poll: anonymous polls identify the device or nothing at all. */
  voteHeaders(poll) {
    if (poll.voters === 'device') return { 'X-Device-Id': this.deviceId };
    if (poll.voters === 'ip') return {};
    return this.userHeaders();
  },

  /**
   * Query string for /ws and /sse of this poll, which browsers cannot give headers: the token in "jwt"
   * mode, and in a "device" poll the device id, so an after_vote poll shows this browser the counts once
   * it voted (docs/live-results.md).
   */
  liveQuery(poll) {
    const params = new URLSearchParams();
    if (this.mode === 'jwt' && this.token) params.set('access_token', this.token);
    if (poll && poll.voters === 'device') params.set('device_id', this.deviceId);
    const query = params.toString();
    return query ? `?${query}` : '';
  },
};

// ---- Requests ------------------------------------------------------------------------------

async function request(method, path, { body, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiProblem(0, { title: 'Network error', detail: 'The server could not be reached.' });
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    throw new ApiProblem(response.status, json || { title: `HTTP ${response.status}` }, response.headers.get('Retry-After'));
  }
  return json;
}

const path = (idOrSlug) => `/api/polls/${encodeURIComponent(idOrSlug)}`;

/** POST /api/polls → the Poll (201). */
export const createPoll = (draft) => request('POST', '/api/polls', { body: draft, headers: identity.userHeaders() });

/** GET /api/polls/{id or slug} → the Poll with its `results` where they may be shown. */
export const getPoll = (idOrSlug) => request('GET', path(idOrSlug), { headers: identity.userHeaders() });

/** GET /api/polls/{id or slug}/results → Results (403 results-hidden where they may not be shown). */
export const getResults = (idOrSlug) => request('GET', `${path(idOrSlug)}/results`, { headers: identity.userHeaders() });

/** POST /api/polls/{id}/votes → {vote_id, status: "accepted"} (202). */
// Send the same idempotencyKey when retrying one ballot (e.g. after a network error): the server
// then answers as it did the first time instead of counting twice or answering already-voted.
export const vote = (poll, answers, idempotencyKey) =>
  request('POST', `${path(poll.poll_id)}/votes`, {
    body: { answers },
    headers: { ...identity.voteHeaders(poll), 'Idempotency-Key': idempotencyKey },
  });

/** POST /api/polls/{id}/close → the Poll with closed_at (creator only). */
export const closePoll = (poll) => request('POST', `${path(poll.poll_id)}/close`, { headers: identity.userHeaders() });
