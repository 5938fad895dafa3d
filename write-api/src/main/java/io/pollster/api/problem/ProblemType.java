package io.pollster.api.problem;

import io.pollster.core.json.ProblemTypes;
import java.net.URI;
import org.springframework.http.HttpStatus;

/**
 * The problem types of API.md: each has a stable slug, which clients match on, and the status it
 * usually comes with. A {@link ProblemException} may answer with another status (a {@link #VALIDATION}
 * of a vote's content is 422, of a malformed body 400).
 */
public enum ProblemType {
    VALIDATION("validation", "Request is not valid", HttpStatus.BAD_REQUEST),
    MALFORMED_REQUEST("malformed-request", "Request could not be read", HttpStatus.BAD_REQUEST),
    UNAUTHENTICATED("unauthenticated", "No valid user", HttpStatus.UNAUTHORIZED),
    NOT_FOUND("not-found", "Not found", HttpStatus.NOT_FOUND),
    POLL_CLOSED("poll-closed", "Poll is closed", HttpStatus.CONFLICT),
    ALREADY_VOTED("already-voted", "Already voted", HttpStatus.CONFLICT),
    NOT_POLL_OWNER("not-poll-owner", "Not the poll's creator", HttpStatus.FORBIDDEN),
    PAYLOAD_TOO_LARGE("payload-too-large", "Request body too large", HttpStatus.CONTENT_TOO_LARGE),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type", HttpStatus.UNSUPPORTED_MEDIA_TYPE),
    METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", HttpStatus.METHOD_NOT_ALLOWED);

    private final String slug;
    private final String title;
    private final HttpStatus status;

    ProblemType(String slug, String title, HttpStatus status) {
        this.slug = slug;
        this.title = title;
        this.status = status;
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
        return ProblemTypes.of(slug);
    }
}
