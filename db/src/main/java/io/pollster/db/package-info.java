/**
 * The schema's one home: Flyway migrations under {@code db/migration}, applied by every service that
 * starts with {@code spring.flyway.enabled}. Migrations only move forward; a landed migration is never
 * edited.
 */
package io.pollster.db;
