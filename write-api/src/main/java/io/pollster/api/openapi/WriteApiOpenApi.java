package io.pollster.api.openapi;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.pollster.core.identity.CurrentUser;
import io.pollster.core.identity.IdentityProperties;
import io.pollster.core.json.ProblemType;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.media.UUIDSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.Arrays;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description of write-api ({@code /v3/api-docs}, UI at {@code /swagger-ui.html}), kept in
 * line with docs/api.md: the {@code X-User-Id} header (or the bearer token in {@code jwt} mode) and its 401 on every operation taking a
 * {@link CurrentUser}, and every error response as {@code application/problem+json}.
 */
@Configuration(proxyBeanMethods = false)
class WriteApiOpenApi {

    private static final String BEARER = "bearer";

    static {
        // resolved from the request's authentication (core's identity), not a query parameter
        SpringDocUtils.getConfig().addAnnotationsToIgnore(CurrentUser.class);
    }

    /** swagger-core reads models with its own (Jackson 2) mapper: give it the API's snake_case names. */
    @Bean
    ModelResolver writeApiSnakeCaseModels() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }

    @Bean
    OperationCustomizer writeApiCurrentUserHeader(IdentityProperties identity) {
        boolean jwt = identity.mode() == IdentityProperties.Mode.JWT;
        return (operation, handler) -> {
            boolean needsUser = Arrays.stream(handler.getMethodParameters())
                    .anyMatch(p -> p.hasParameterAnnotation(CurrentUser.class));
            if (needsUser) {
                if (jwt) {
                    operation.addSecurityItem(new SecurityRequirement().addList(BEARER));
                } else {
                    operation.addParametersItem(new HeaderParameter()
                            .name(CurrentUser.HEADER)
                            .required(true)
                            .description("The authenticated user (set upstream)")
                            .schema(new UUIDSchema()));
                }
                operation.getResponses().addApiResponse("401", new ApiResponse().description("unauthenticated"));
            }
            return operation;
        };
    }

    @Bean
    OpenApiCustomizer writeApiProblemResponses(IdentityProperties identity) {
        return openApi -> {
            if (identity.mode() == IdentityProperties.Mode.JWT) {
                openApi.getComponents()
                        .addSecuritySchemes(
                                BEARER,
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .bearerFormat("JWT")
                                        .description("sub = the user's UUID"));
            }
            openApi.info(new Info()
                    .title("Pollster API")
                    .version("1")
                    .description("Polls, votes and results; JSON in snake_case, errors as RFC 9457 problems."));
            openApi.getComponents().addSchemas("Problem", problemSchema());
            Content problem = new Content()
                    .addMediaType(
                            "application/problem+json",
                            new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem")));
            openApi.getPaths().forEach((path, item) -> {
                if (!path.startsWith("/api/")) {
                    return;
                }
                item.readOperations()
                        .forEach(operation -> operation.getResponses().forEach((status, response) -> {
                            if (status.startsWith("4") || status.startsWith("5")) {
                                response.setContent(problem);
                            }
                        }));
            });
        };
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Schema<?> problemSchema() {
        Schema invalidField = new Schema<>()
                .type("object")
                .addProperty("field", new StringSchema())
                .addProperty("message", new StringSchema());
        return new Schema<>()
                .type("object")
                .description("RFC 9457 problem; type ends with the slug of docs/api.md")
                .addProperty(
                        "type",
                        new StringSchema().example(ProblemType.VALIDATION.uri().toString()))
                .addProperty("title", new StringSchema())
                .addProperty("status", new Schema<>().type("integer"))
                .addProperty("detail", new StringSchema())
                .addProperty("instance", new StringSchema())
                .addProperty(
                        "errors",
                        new Schema<>().type("array").items(invalidField).description("validation only"));
    }
}
