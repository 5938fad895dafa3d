package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.pollster.testing.PollsterIntegrationTest;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The application serves the contract the repository carries: the paths, problem slugs and JSON fields
 * of its OpenAPI document ({@code /v3/api-docs}) are those of {@code docs/api.md}, and back.
 *
 * <p>{@code docs/api.md} runs ahead of the code while features are being built. What it promises and
 * the application does not serve yet is named below, item by item; the test fails when a gap opens
 * that is not named, and when a named gap closes (then remove it from the list), so the list stays
 * the truth.
 */
@PollsterIntegrationTest(classes = PollsterApplication.class)
class ApiContractIT {

    /** Operations of docs/api.md that the application does not serve yet ("METHOD /path", ids as {}). */
    static final Set<String> OPERATIONS_NOT_SERVED_YET = Set.of();

    /** Problem slugs of docs/api.md that no problem type of the code defines yet. */
    static final Set<String> SLUGS_NOT_DEFINED_YET = Set.of();

    /** JSON fields of docs/api.md that no schema of the OpenAPI document has yet. */
    static final Set<String> FIELDS_NOT_SERVED_YET = Set.of();

    /**
     * JSON fields docs/api.md gives only to live messages (WebSocket and SSE), which the OpenAPI document
     * does not describe.
     */
    static final Set<String> LIVE_MESSAGE_FIELDS = Set.of();

    private static final Pattern HEADING =
            Pattern.compile("^### (GET|POST|PUT|PATCH|DELETE|WebSocket) (/.*)$", Pattern.MULTILINE);
    private static final Pattern PATH_VARIABLE = Pattern.compile("\\{[^}]*}");
    private static final Pattern SLUG = Pattern.compile("[a-z]+(-[a-z]+)*");
    private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    /** A JSON member name in the document: {@code "name":}. */
    private static final Pattern DOCUMENTED_KEY = Pattern.compile("\"([a-z][a-z0-9_]*)\"\\s*:");
    /** A name the document mentions as a JSON member: quoted or as code. */
    private static final Pattern MENTIONED_NAME = Pattern.compile("[\"`]([a-z][a-z0-9_]*)[\"`]");

    @LocalServerPort
    int port;

    private final String contract = RepositoryFiles.read("docs/api.md");
    private JsonNode openApi;

    @BeforeEach
    void readOpenApi() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v3/api-docs"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        openApi = JsonMapper.builder().build().readTree(response.body());
    }

    @Test
    void everyOperationOfTheContractIsServedAndEveryServedOneIsInTheContract() {
        Set<String> documented = documentedOperations();
        Set<String> served = servedOperations();

        assertThat(difference(served, documented))
                .as("served (OpenAPI) but not in docs/api.md: document them")
                .isEmpty();
        assertThat(difference(documented, served))
                .as("in docs/api.md but not served; OPERATIONS_NOT_SERVED_YET must name exactly these")
                .isEqualTo(OPERATIONS_NOT_SERVED_YET);
    }

    @Test
    void everyProblemSlugOfTheCodeAndOfTheOpenApiDocumentIsInTheContract() {
        Set<String> documented = documentedSlugs();
        Set<String> defined = definedSlugs();
        Set<String> inOpenApi = openApiSlugs();

        assertThat(defined).as("problem types found in the code").contains("not-found", "validation");
        assertThat(difference(defined, documented))
                .as("defined by the code but not in docs/api.md's slugs")
                .isEmpty();
        assertThat(difference(inOpenApi, documented))
                .as("named by the OpenAPI document's error responses but not in docs/api.md")
                .isEmpty();
        assertThat(difference(documented, defined))
                .as("in docs/api.md but defined by no problem type; SLUGS_NOT_DEFINED_YET must name exactly these")
                .isEqualTo(SLUGS_NOT_DEFINED_YET);
    }

    @Test
    void everyJsonFieldOfTheServedSchemasIsInTheContractAndBack() {
        Set<String> served = servedFields();
        Set<String> mentioned = matches(MENTIONED_NAME, contract);
        Set<String> documented = matches(DOCUMENTED_KEY, contract);

        assertThat(served).as("fields of the Poll, Results and Vote schemas").contains("poll_id", "total_votes");
        assertThat(served.stream().filter(field -> !SNAKE_CASE.matcher(field).matches()))
                .as("JSON field names are snake_case")
                .isEmpty();
        assertThat(difference(served, mentioned))
                .as("served (OpenAPI schemas) but not named in docs/api.md")
                .isEmpty();
        Set<String> expectedGaps = new TreeSet<>(FIELDS_NOT_SERVED_YET);
        expectedGaps.addAll(LIVE_MESSAGE_FIELDS);
        assertThat(difference(documented, served))
                .as("in docs/api.md but in no served schema; FIELDS_NOT_SERVED_YET and LIVE_MESSAGE_FIELDS"
                        + " must name exactly these")
                .isEqualTo(expectedGaps);
    }

    /** "METHOD /path" of every {@code ### METHOD /path  (note)} heading; a WebSocket is its GET. */
    private Set<String> documentedOperations() {
        Set<String> operations = new TreeSet<>();
        Matcher heading = HEADING.matcher(contract);
        while (heading.find()) {
            String method = heading.group(1).equals("WebSocket") ? "GET" : heading.group(1);
            String path = heading.group(2);
            int note = path.indexOf("  (");
            operations.add(method + " " + normalized(note < 0 ? path : path.substring(0, note)));
        }
        assertThat(operations).as("operations of docs/api.md").contains("POST /api/polls");
        return operations;
    }

    private Set<String> servedOperations() {
        Set<String> operations = new TreeSet<>();
        for (Map.Entry<String, JsonNode> path : openApi.path("paths").properties()) {
            for (String method : path.getValue().propertyNames()) {
                operations.add(method.toUpperCase() + " " + normalized(path.getKey()));
            }
        }
        return operations;
    }

    /** The backquoted slugs of the sentence of docs/api.md that lists them ("Slugs: `validation`, … ."). */
    private Set<String> documentedSlugs() {
        int start = contract.indexOf("Slugs:");
        assertThat(start)
                .as("docs/api.md lists the problem slugs after 'Slugs:'")
                .isNotNegative();
        Matcher sentenceEnd = Pattern.compile("\\.\\s").matcher(contract);
        assertThat(sentenceEnd.find(start)).isTrue();
        int end = sentenceEnd.start();
        Set<String> slugs = new TreeSet<>();
        Matcher code = Pattern.compile("`([^`]+)`").matcher(contract.substring(start, end));
        while (code.find()) {
            if (SLUG.matcher(code.group(1)).matches()) {
                slugs.add(code.group(1));
            }
        }
        return slugs;
    }

    /**
     * The slug of every constant of every problem-type enum of Pollster's main code (an enum with a
     * {@code slug()} method), wherever it lives.
     */
    private static Set<String> definedSlugs() {
        Set<String> slugs = new TreeSet<>();
        for (JavaClass type : new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.pollster")) {
            if (!type.isEnum() || type.tryGetMethod("slug").isEmpty()) {
                continue;
            }
            Class<?> enumType = type.reflect();
            try {
                Method slug = enumType.getDeclaredMethod("slug");
                slug.setAccessible(true);
                for (Object constant : enumType.getEnumConstants()) {
                    slugs.add((String) slug.invoke(constant));
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Cannot read the slugs of " + enumType, e);
            }
        }
        return slugs;
    }

    /** Slugs the OpenAPI document gives as the descriptions of error responses ("validation, malformed-request"). */
    private Set<String> openApiSlugs() {
        Set<String> slugs = new TreeSet<>();
        for (JsonNode path : openApi.path("paths")) {
            for (JsonNode operation : path) {
                for (Map.Entry<String, JsonNode> response :
                        operation.path("responses").properties()) {
                    if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                        Arrays.stream(response.getValue()
                                        .path("description")
                                        .asString()
                                        .split(","))
                                .map(String::trim)
                                .filter(word -> SLUG.matcher(word).matches())
                                .forEach(slugs::add);
                    }
                }
            }
        }
        assertThat(slugs).as("error responses of the OpenAPI document").contains("not-found");
        return slugs;
    }

    /**
     * Property names of every schema the {@code /api} operations take or answer (Poll, Results, Vote,
     * Notification, Problem and what they contain), followed through {@code $ref}s.
     */
    private Set<String> servedFields() {
        Deque<JsonNode> pending = new ArrayDeque<>();
        for (Map.Entry<String, JsonNode> path : openApi.path("paths").properties()) {
            if (path.getKey().startsWith("/api/")) {
                pending.add(path.getValue());
            }
        }
        Set<String> fields = new TreeSet<>();
        Set<String> seenRefs = new HashSet<>();
        JsonNode schemas = openApi.path("components").path("schemas");
        while (!pending.isEmpty()) {
            JsonNode node = pending.pop();
            if (node.isObject()) {
                JsonNode ref = node.get("$ref");
                if (ref != null && seenRefs.add(ref.asString())) {
                    pending.add(
                            schemas.path(ref.asString().substring(ref.asString().lastIndexOf('/') + 1)));
                }
                JsonNode properties = node.get("properties");
                if (properties != null && properties.isObject()) {
                    fields.addAll(properties.propertyNames());
                }
            }
            node.forEach(pending::add);
        }
        return fields;
    }

    private static String normalized(String path) {
        return PATH_VARIABLE.matcher(path.trim()).replaceAll("{}");
    }

    private static Set<String> matches(Pattern pattern, String text) {
        Set<String> found = new TreeSet<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> result = new TreeSet<>(a);
        result.removeAll(b);
        return result;
    }
}
