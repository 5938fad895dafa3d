package io.pollster.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.testing.PollsterIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The gateway serves the demo page (its {@code static/}) at {@code /}, so a load balancer can route the
 * page to it; the page itself is tested in a browser by standalone's {@code DemoPageBrowserIT}.
 */
@PollsterIntegrationTest(classes = LiveGatewayApplication.class)
class DemoPageIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Test
    void theRootServesTheDemoPageAndItsModules() throws Exception {
        HttpResponse<String> page = get("/", "text/html");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("<script type=\"module\" src=\"js/app.js\"></script>");

        for (String module : new String[] {"/js/app.js", "/js/api.js", "/js/live.js"}) {
            HttpResponse<String> script = get(module, "*/*");
            assertThat(script.statusCode()).as(module).isEqualTo(200);
            // browsers refuse a module served under another type
            assertThat(script.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).contains("javascript"));
        }
        assertThat(get("/demo.css", "text/css").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> get(String path, String accept) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .header("Accept", accept)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
