/** Scheduled closing: polls past their {@code closes_at} get their {@code closed_at}, once. */
package io.pollster.jobs.closing;
