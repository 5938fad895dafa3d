/**
 * Archival of closed polls to object storage: the poll with its final results as JSON and every
 * response as CSV, streamed from PostgreSQL, recorded once in {@code poll_archives}.
 */
package io.pollster.jobs.archive;
