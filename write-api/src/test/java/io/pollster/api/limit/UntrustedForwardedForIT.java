package io.pollster.api.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.PollDefinitions;
import io.pollster.testing.PollFixtures;
import io.pollster.testing.PollsterIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A client that reaches write-api without passing the trusted proxy (here: loopback is not the proxy)
 * cannot choose its address with {@code X-Forwarded-For}: every request counts against the address it
 * really comes from, and on an {@code ip} poll votes as that address.
 */
@PollsterIntegrationTest(
        properties = {
            "server.tomcat.remoteip.internal-proxies=192.0.2.1/32",
            "pollster.limits.exempt-ips=192.0.2.200/32",
            "pollster.limits.polls-per-ip.capacity=2",
            "pollster.limits.polls-per-ip.period=1h"
        })
class UntrustedForwardedForIT {

    private static final String POLL =
            """
            {"title": "Spoofed?", "questions": [{"text": "Pick one", "choices": ["yes", "no"]}]}
            """;

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Test
    void aForwardedForFromAnUntrustedPeerIsIgnored() throws Exception {
        assertThat(create(RateLimitIT.randomAddress()).statusCode()).isEqualTo(201);
        assertThat(create(RateLimitIT.randomAddress()).statusCode()).isEqualTo(201);

        UUID user = UUID.randomUUID();
        HttpResponse<String> third = http.send(
                request(user)
                        .header("X-Forwarded-For", RateLimitIT.randomAddress())
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
        assertThat(jdbc.sql("SELECT count(*) FROM polls WHERE creator_id = ?")
                        .param(user)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void anIpPollCountsTheUntrustedPeerNotTheAddressItForwards() throws Exception {
        UUID pollId = PollFixtures.onTestServers()
                .create(PollFixtures.poll().questions(1).choices(2))
                .pollId();
        // before this instance has read the poll, so its catalog loads it as an ip poll
        jdbc.sql("UPDATE polls SET voters = 'ip' WHERE poll_id = ?")
                .param(pollId)
                .update();
        PollDefinition poll = new PollDefinitions(jdbc).findById(pollId).orElseThrow();
        PollDefinition.Question question = poll.questions().get(0);

        HttpResponse<String> first = vote(poll, question.choices().get(0).choiceId(), RateLimitIT.randomAddress());
        HttpResponse<String> second = vote(poll, question.choices().get(1).choiceId(), RateLimitIT.randomAddress());

        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
        assertThat(second.body()).contains("already-voted");
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(60))
                .until(() -> jdbc.sql("SELECT count(*) FROM responses WHERE poll_id = ?")
                                .param(pollId)
                                .query(Long.class)
                                .single()
                        == 1);
        assertThat(jdbc.sql("SELECT ip_address FROM responses WHERE poll_id = ?")
                        .param(pollId)
                        .query(String.class)
                        .single())
                .isEqualTo("127.0.0.1");
    }

    private HttpResponse<String> vote(PollDefinition poll, UUID choice, String forwardedFor) throws Exception {
        String body = "{\"answers\":[{\"question_id\":\""
                + poll.questions().get(0).questionId() + "\",\"choice_id\":\"" + choice + "\"}]}";
        return http.send(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/api/polls/" + poll.pollId() + "/votes"))
                        .header("Content-Type", "application/json")
                        .header("X-Forwarded-For", forwardedFor)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> create(String forwardedFor) throws Exception {
        return http.send(
                request(UUID.randomUUID())
                        .header("X-Forwarded-For", forwardedFor)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(UUID user) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/polls"))
                .header("X-User-Id", user.toString())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(POLL));
    }
}
