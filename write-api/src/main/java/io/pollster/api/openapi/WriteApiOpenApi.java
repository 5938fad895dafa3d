package io.pollster.api.openapi;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.pollster.api.problem.CurrentUser;
import io.pollster.core.json.ProblemTypes;
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
import java.util.Arrays;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description of write-api ({@code /v3/api-docs}, UI at {@code /swagger-ui.html}), kept in
 * line with API.md: the {@code X-User-Id} header and its 401 on every operation taking a
 * {@link CurrentUser}, and every error response as {@code application/problem+json}.
 */
@Configuration(proxyBeanMethods = false)
class WriteApiOpenApi {

    static {
        // resolved from a header by CurrentUserResolver, not a query parameter
        SpringDocUtils.getConfig().addAnnotationsToIgnore(CurrentUser.class);
    }

    /** swagger-core reads models with its own (Jackson 2) mapper: give it the API's snake_case names. */
    @Bean
    ModelResolver writeApiSnakeCaseModels() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }

    @Bean
    OperationCustomizer writeApiCurrentUserHeader() {
        return (operation, handler) -> {
            boolean needsUser = Arrays.stream(handler.getMethodParameters())
                    .anyMatch(p -> p.hasParameterAnnotation(CurrentUser.class));
            if (needsUser) {
                operation.addParametersItem(new HeaderParameter()
                        .name(CurrentUser.HEADER)
                        .required(true)
                        .description("The authenticated user (set upstream)")
                        .schema(new UUIDSchema()));
                operation.getResponses().addApiResponse("401", new ApiResponse().description("unauthenticated"));
            }
            return operation;
        };
    }

    @Bean
    OpenApiCustomizer writeApiProblemResponses() {
        return openApi -> {
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
                .description("RFC 9457 problem; type ends with the slug of API.md")
                .addProperty(
                        "type",
                        new StringSchema().example(ProblemTypes.of("validation").toString()))
                .addProperty("title", new StringSchema())
                .addProperty("status", new Schema<>().type("integer"))
                .addProperty("detail", new StringSchema())
                .addProperty("instance", new StringSchema())
                .addProperty(
                        "errors",
                        new Schema<>().type("array").items(invalidField).description("validation only"));
    }
}
