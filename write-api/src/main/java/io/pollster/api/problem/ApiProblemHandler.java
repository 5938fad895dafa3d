package io.pollster.api.problem;

import io.pollster.core.StoreOutage;
import io.pollster.core.json.ProblemType;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every failure of a request into an RFC 9457 problem with a {@link ProblemType} of docs/api.md. This is
 * the application's global handler (not scoped to a package): it also answers unknown paths (404) and
 * wrong methods (405), which reach no controller. Handlers of other modules, scoped to their own
 * controllers, should declare a higher precedence than this one.
 *
 * <ul>
 *   <li>{@link ProblemException}: the type, status, detail and {@code errors} it carries;
 *   <li>Spring MVC's own exceptions (unreadable body, wrong media type, unknown path, wrong method, bean
 *       validation of {@code @Valid} arguments): Spring's problem detail, given the type of its status;
 *   <li>a string with a control character anywhere in a JSON body ({@link ControlCharacters}): 400
 *       {@code validation} naming the field, before anything is written;
 *   <li>PostgreSQL or Redis out of reach ({@link StoreOutage}): 503 {@code unavailable} with
 *       {@code Retry-After}, the request may simply be sent again;
 *   <li>anything else: 500, logged, with no detail that could leak internals.
 * </ul>
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class ApiProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiProblemHandler.class);

    private static final Map<Integer, ProblemType> TYPE_OF_STATUS = Map.of(
            400, ProblemType.MALFORMED_REQUEST,
            401, ProblemType.UNAUTHENTICATED,
            404, ProblemType.NOT_FOUND,
            405, ProblemType.METHOD_NOT_ALLOWED,
            413, ProblemType.PAYLOAD_TOO_LARGE,
            415, ProblemType.UNSUPPORTED_MEDIA_TYPE);

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<Object> handleProblem(ProblemException problem, WebRequest request) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(problem.status(), problem.getMessage());
        decorate(body, problem.type(), request);
        if (!problem.errors().isEmpty()) {
            body.setProperty("errors", problem.errors());
        }
        return ResponseEntity.status(problem.status()).body(body);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> handleUnexpected(Exception failure, WebRequest request) {
        var store = StoreOutage.of(failure);
        if (store.isPresent()) {
            return unavailable(store.get(), failure, request);
        }
        log.error("Unexpected failure of {}", describe(request), failure);
        ProblemDetail body = ProblemDetail.forStatusAndDetail(
                HttpStatus.INTERNAL_SERVER_ERROR, "The server failed to answer; try again later");
        body.setInstance(path(request));
        return ResponseEntity.internalServerError().body(body);
    }

    /** The store a request needs cannot be reached: the client may send the same request again. */
    static ResponseEntity<Object> unavailable(StoreOutage.Store store, Exception failure, WebRequest request) {
        log.warn("{} failed: {} is out of reach: {}", describe(request), store.displayName(), failure.toString());
        ProblemDetail body =
                ProblemDetail.forStatusAndDetail(ProblemType.UNAVAILABLE.status(), StoreOutage.detail(store));
        decorate(body, ProblemType.UNAVAILABLE, request);
        return ResponseEntity.status(ProblemType.UNAVAILABLE.status())
                .header(HttpHeaders.RETRY_AFTER, Integer.toString(StoreOutage.RETRY_AFTER_SECONDS))
                .body(body);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException unreadable,
            HttpHeaders headers,
            HttpStatusCode status,
            WebRequest request) {
        for (Throwable cause = unreadable; cause != null; cause = cause.getCause()) {
            if (cause instanceof RequestBodyLimit.BodyTooLargeException tooLarge) {
                return handleProblem(tooLarge.problem(), request);
            }
            if (cause instanceof ControlCharacters.ControlCharacterException control) {
                return handleProblem(ProblemException.invalid(List.of(control.invalidField())), request);
            }
        }
        ProblemDetail body = ProblemDetail.forStatusAndDetail(
                HttpStatus.BAD_REQUEST, "The body is not readable JSON of the expected shape");
        return handleExceptionInternal(unreadable, body, headers, HttpStatus.BAD_REQUEST, request);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException invalid, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return handleProblem(ProblemException.invalid(status, invalidFields(invalid.getBindingResult())), request);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException invalid, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<InvalidField> errors = invalid.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream()
                        .map(error -> new InvalidField(
                                snakeCase(result.getMethodParameter().getParameterName()), error.getDefaultMessage())))
                .toList();
        return handleProblem(ProblemException.invalid(HttpStatus.BAD_REQUEST, errors), request);
    }

    /** Every response Spring MVC builds for its own exceptions passes here: give it its problem type. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception failure, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (body == null) {
            body = ProblemDetail.forStatus(status);
        }
        if (body instanceof ProblemDetail problem) {
            // an ErrorResponseException built from a core ProblemType (401 of identity) keeps its type
            ProblemType type = ProblemType.ofUri(problem.getType()).orElse(TYPE_OF_STATUS.get(status.value()));
            if (type != null) {
                decorate(problem, type, request);
            } else if (problem.getInstance() == null) {
                problem.setInstance(path(request));
            }
            if (problem.getDetail() == null) {
                problem.setDetail(failure.getMessage());
            }
        }
        return super.handleExceptionInternal(failure, body, headers, status, request);
    }

    private static void decorate(ProblemDetail problem, ProblemType type, WebRequest request) {
        problem.setType(type.uri());
        problem.setTitle(type.title());
        problem.setInstance(path(request));
    }

    private static List<InvalidField> invalidFields(BindingResult binding) {
        return binding.getAllErrors().stream()
                .map(error -> new InvalidField(
                        error instanceof org.springframework.validation.FieldError field
                                ? snakeCase(field.getField())
                                : error.getObjectName(),
                        error.getDefaultMessage()))
                .toList();
    }

    /** Bean Validation names Java properties; clients know the snake_case names of the JSON. */
    static String snakeCase(String javaName) {
        if (javaName == null) {
            return null;
        }
        StringBuilder snake = new StringBuilder(javaName.length() + 4);
        for (char c : javaName.toCharArray()) {
            if (Character.isUpperCase(c)) {
                snake.append('_').append(Character.toLowerCase(c));
            } else {
                snake.append(c);
            }
        }
        return snake.toString();
    }

    private static URI path(WebRequest request) {
        if (request instanceof ServletWebRequest servlet) {
            try {
                return URI.create(servlet.getRequest().getRequestURI());
            } catch (IllegalArgumentException notAUri) {
                return null; // a raw path the client did not encode: better no instance than no answer
            }
        }
        return null;
    }

    private static String describe(WebRequest request) {
        return request instanceof ServletWebRequest servlet
                ? servlet.getHttpMethod() + " " + servlet.getRequest().getRequestURI()
                : request.getDescription(false);
    }
}
