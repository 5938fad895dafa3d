/**
 * Who the user is, the same way in every service (docs/api.md "Identity"): {@code pollster.identity.mode}
 * {@code header} ({@code X-User-Id} from a trusted gateway) or {@code jwt} (a verified bearer token,
 * {@code sub} = user id). {@link io.pollster.core.identity.IdentityAutoConfiguration} is the one
 * security filter chain; controllers take a {@link io.pollster.core.identity.CurrentUser} parameter.
 */
package io.pollster.core.identity;
