/**
 * The error machinery of write-api, for every controller of the module (polls, votes):
 *
 * <ul>
 *   <li>{@link io.pollster.core.json.ProblemType} (in core): the slugs of docs/api.md, their titles and usual
 *       status, the same in every service;
 *   <li>{@link io.pollster.api.problem.ProblemException}: throw it to answer a problem, with
 *       {@link io.pollster.api.problem.InvalidField}s for validation;
 *   <li>{@link io.pollster.api.problem.ApiProblemHandler}: the global RFC 9457 handler, including 404 for
 *       unknown paths and 405 for wrong methods;
 *   <li>a 64 KiB limit on request bodies (413), {@code pollster.api.max-request-body}.
 * </ul>
 *
 * <p>The current user is a {@link io.pollster.core.identity.CurrentUser} parameter (core's identity).
 */
package io.pollster.api.problem;
