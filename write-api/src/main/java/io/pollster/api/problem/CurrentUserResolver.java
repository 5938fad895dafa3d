package io.pollster.api.problem;

import io.pollster.core.poll.PollDefinitions;
import java.util.UUID;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/** Resolves {@link CurrentUser} parameters from the {@code X-User-Id} header. */
class CurrentUserResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.hasParameterAnnotation(CurrentUser.class) && parameter.getParameterType() == UUID.class;
    }

    @Override
    public UUID resolveArgument(
            MethodParameter parameter,
            ModelAndViewContainer mavContainer,
            NativeWebRequest request,
            WebDataBinderFactory binderFactory) {
        String header = request.getHeader(CurrentUser.HEADER);
        if (header == null || header.isBlank()) {
            throw new ProblemException(ProblemType.UNAUTHENTICATED, "Header " + CurrentUser.HEADER + " is missing");
        }
        // strict: UUID.fromString alone accepts short forms such as "1-1-1-1-1"
        return PollDefinitions.parseUuid(header.trim())
                .orElseThrow(() -> new ProblemException(
                        ProblemType.UNAUTHENTICATED, "Header " + CurrentUser.HEADER + " is not a UUID"));
    }
}
