/** {@code GET /api/me/polls}: the caller's polls, newest first, keyset-paginated. */
package io.pollster.api.mine;
