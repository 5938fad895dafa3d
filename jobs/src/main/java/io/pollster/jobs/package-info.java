/**
 * Background jobs: milestone notifications, scheduled closing, archival of closed polls to object
 * storage, and reconciliation of Redis counts against PostgreSQL.
 */
package io.pollster.jobs;
