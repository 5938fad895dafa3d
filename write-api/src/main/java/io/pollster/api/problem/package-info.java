/**
 * The error machinery of write-api, for every controller of the module (polls, votes, notifications):
 *
 * <ul>
 *   <li>{@link io.pollster.api.problem.ProblemType}: the slugs of API.md and their usual status;
 *   <li>{@link io.pollster.api.problem.ProblemException}: throw it to answer a problem, with
 *       {@link io.pollster.api.problem.InvalidField}s for validation;
 *   <li>{@link io.pollster.api.problem.ApiProblemHandler}: the global RFC 9457 handler, including 404 for
 *       unknown paths and 405 for wrong methods;
 *   <li>{@link io.pollster.api.problem.CurrentUser}: a {@code UUID} parameter taken from {@code X-User-Id},
 *       401 when missing or malformed;
 *   <li>a 64 KiB limit on request bodies (413), {@code pollster.api.max-request-body}.
 * </ul>
 */
package io.pollster.api.problem;
