package io.pollster.core.json;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * Every RFC 9457 problem type any Pollster service answers (docs/api.md "Errors"), defined once: its slug,
 * which clients match on, its title, the same in every service, and the status it usually comes with.
 * A service may answer with another status (a {@link #VALIDATION} of a vote's content is 422, of a
 * malformed body 400); the type and title stay.
 */
public enum ProblemType {
    VALIDATION("validation", "Request is not valid", HttpStatus.BAD_REQUEST),
    MALFORMED_REQUEST("malformed-request", "Request could not be read", HttpStatus.BAD_REQUEST),
    UNAUTHENTICATED("unauthenticated", "Unauthenticated", HttpStatus.UNAUTHORIZED),
    NOT_FOUND("not-found", "Not found", HttpStatus.NOT_FOUND),
    POLL_CLOSED("poll-closed", "Poll is closed", HttpStatus.CONFLICT),
    ALREADY_VOTED("already-voted", "Already voted", HttpStatus.CONFLICT),
    NOT_POLL_OWNER("not-poll-owner", "Not the poll's creator", HttpStatus.FORBIDDEN),
    PAYLOAD_TOO_LARGE("payload-too-large", "Request body too large", HttpStatus.CONTENT_TOO_LARGE),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type", HttpStatus.UNSUPPORTED_MEDIA_TYPE),
    METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", HttpStatus.METHOD_NOT_ALLOWED),
    RATE_LIMITED("rate-limited", "Too many requests", HttpStatus.TOO_MANY_REQUESTS),
    RESULTS_HIDDEN("results-hidden", "Results are hidden", HttpStatus.FORBIDDEN),
    UNAVAILABLE("unavailable", "Service unavailable", HttpStatus.SERVICE_UNAVAILABLE);

    /** Every problem type URI is this base followed by the slug. */
    public static final String BASE_URI = "https://pollster.io/problems/";

    private final String slug;
    private final String title;
    private final HttpStatus status;
    private final URI uri;

    ProblemType(String slug, String title, HttpStatus status) {
        this.slug = slug;
        this.title = title;
        this.status = status;
        this.uri = URI.create(BASE_URI + slug);
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public HttpStatus status() {
        return status;
    }

    /** The {@code type} member of a problem response. */
    public URI uri() {
        return uri;
    }

    /** A problem of this type with its usual status. */
    public ProblemDetail detail(String detail) {
        return detail(status, detail);
    }

    /** A problem of this type with another status. */
    public ProblemDetail detail(HttpStatus otherStatus, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(otherStatus, detail);
        problem.setType(uri);
        problem.setTitle(title);
        return problem;
    }

    /** The type whose {@link #uri()} this is, if any. */
    public static java.util.Optional<ProblemType> ofUri(URI type) {
        for (ProblemType candidate : values()) {
            if (candidate.uri.equals(type)) {
                return java.util.Optional.of(candidate);
            }
        }
        return java.util.Optional.empty();
    }
}
