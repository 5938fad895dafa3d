package io.pollster.core.json;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/**
 * Writes an RFC 9457 problem straight to a servlet response, for the places that answer before or
 * outside Spring MVC's message converters: the security filter chain, the rate limits, the live
 * endpoints (an event-stream {@code Accept} would refuse problem+json; an upgrade request has no
 * converter in play).
 */
public final class ProblemResponses {

    private ProblemResponses() {}

    /** Writes a problem of {@code type} with its usual status. */
    public static void write(HttpServletRequest request, HttpServletResponse response, ProblemType type, String detail)
            throws IOException {
        write(request, response, type, type.status(), detail);
    }

    /** Writes {@code {"type", "title", "status", "detail", "instance"}} (docs/api.md) with {@code status}. */
    public static void write(
            HttpServletRequest request,
            HttpServletResponse response,
            ProblemType type,
            HttpStatus status,
            String detail)
            throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", type.uri().toString());
        problem.put("title", type.title());
        problem.put("status", status.value());
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI());
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(PollsterJson.mapper().writeValueAsBytes(problem));
    }
}
