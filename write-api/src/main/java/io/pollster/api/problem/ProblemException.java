package io.pollster.api.problem;

import io.pollster.core.json.ProblemType;
import java.util.List;
import org.springframework.http.HttpStatusCode;

/**
 * An expected failure of a request, answered as an RFC 9457 problem of a given {@link ProblemType} by
 * {@link ApiProblemHandler}. Throw it from anywhere in a request (controller, service, argument resolver);
 * it changes nothing by itself, so throw it before writing anything.
 */
public class ProblemException extends RuntimeException {

    private final ProblemType type;
    private final HttpStatusCode status;
    private final List<InvalidField> errors;

    public ProblemException(ProblemType type, HttpStatusCode status, String detail, List<InvalidField> errors) {
        super(detail);
        this.type = type;
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    /** A problem with the type's usual status. */
    public ProblemException(ProblemType type, String detail) {
        this(type, type.status(), detail, List.of());
    }

    /** A {@link ProblemType#VALIDATION} problem listing every invalid field, with status 400. */
    public static ProblemException invalid(List<InvalidField> errors) {
        return invalid(ProblemType.VALIDATION.status(), errors);
    }

    /** A {@link ProblemType#VALIDATION} problem with another status (422 for content that cannot apply). */
    public static ProblemException invalid(HttpStatusCode status, List<InvalidField> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid";
        return new ProblemException(ProblemType.VALIDATION, status, detail, errors);
    }

    public ProblemType type() {
        return type;
    }

    public HttpStatusCode status() {
        return status;
    }

    /** The invalid fields of a validation problem; empty otherwise. */
    public List<InvalidField> errors() {
        return errors;
    }
}
