package io.pollster.core.identity;

import java.util.Optional;
import java.util.UUID;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Resolves {@link CurrentUser} parameters from the request's authentication, which the security filter
 * chain set from {@code X-User-Id} or a verified token; its name is the user's UUID in both modes.
 */
final class CurrentUserResolver implements HandlerMethodArgumentResolver {

    private final IdentityProperties.Mode mode;

    CurrentUserResolver(IdentityProperties.Mode mode) {
        this.mode = mode;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.hasParameterAnnotation(CurrentUser.class)
                && (parameter.getParameterType() == UUID.class
                        || (parameter.getParameterType() == Optional.class
                                && parameter.nestedIfOptional().getNestedParameterType() == UUID.class));
    }

    @Override
    public Object resolveArgument(
            MethodParameter parameter,
            ModelAndViewContainer mavContainer,
            NativeWebRequest request,
            WebDataBinderFactory binderFactory) {
        Optional<UUID> user = CurrentUsers.current();
        if (parameter.getParameterType() == Optional.class) {
            return user;
        }
        return user.orElseThrow(() -> UnauthenticatedException.noUser(mode));
    }
}
