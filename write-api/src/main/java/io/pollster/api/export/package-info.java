/**
 * CSV exports: {@code GET /api/polls/{id or slug}/results.csv} and the creator's
 * {@code GET /api/polls/{id}/responses.csv}, streamed from PostgreSQL in constant memory.
 */
package io.pollster.api.export;
