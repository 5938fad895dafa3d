package io.pollster.live;

import io.pollster.core.json.PollsterJson;
import io.pollster.core.json.ProblemTypes;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;

/**
 * RFC 9457 problems written straight to the response by the live endpoints: content negotiation would
 * refuse problem+json to an event-stream {@code Accept}, and an upgrade request has no message converter
 * in play.
 */
public final class LiveProblems {

    private LiveProblems() {}

    /** Writes {@code {"type": ".../problems/<slug>", "title", "status", "detail", "instance"}} (API.md). */
    public static void write(
            HttpServletRequest request,
            HttpServletResponse response,
            int status,
            String slug,
            String title,
            String detail)
            throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", ProblemTypes.of(slug).toString());
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI());
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(PollsterJson.mapper().writeValueAsBytes(problem));
    }
}
