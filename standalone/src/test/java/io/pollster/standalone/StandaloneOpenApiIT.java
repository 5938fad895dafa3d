package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.testing.PollsterIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The OpenAPI description works with every module on one classpath (libraries there can clash). */
@PollsterIntegrationTest(classes = PollsterApplication.class)
class StandaloneOpenApiIT {

    @LocalServerPort
    int port;

    @Test
    void openApiDescriptionIsServedWithThePollsApi() throws Exception {
        HttpResponse<String> docs = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v3/api-docs"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(docs.statusCode()).as(docs.body()).isEqualTo(200);
        assertThat(docs.body()).contains("\"/api/polls\"", "\"/api/polls/{pollIdOrSlug}/results\"");
    }
}
