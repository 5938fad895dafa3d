package io.pollster.api.vote;

import static io.pollster.api.vote.VoteApiIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.poll.PollDefinition;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.testing.PollsterIntegrationTest;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The vote endpoint reads its body and writes its 202 itself ({@link VoteBodyReader}, {@link
 * VoteAccepted#json()}): every way a body can be wrong is still the RFC 9457 problem Spring MVC's
 * {@code @RequestBody} gave, and changes nothing.
 */
@PollsterIntegrationTest
class VoteBodyIT {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    Shards shards;

    private VoteHttp http;
    private PollDefinition poll;
    private String path;

    @BeforeEach
    void openPoll() {
        http = new VoteHttp(port);
        poll = new TestPolls(jdbc).open(2, 2);
        path = "/api/polls/" + poll.pollId() + "/votes";
    }

    @Test
    void theAcceptedBodyIsTheVoteIdAndStatusAsJson() {
        UUID user = UUID.randomUUID();
        VoteHttp.Answer answer = http.vote(poll.pollId(), user, null, answers());

        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.contentType()).isEqualTo("application/json");
        assertThat(answer.json().propertyNames()).containsExactly("vote_id", "status");
        assertThat(UUID.fromString(answer.text("vote_id"))).isNotNull();
        assertThat(answer.text("status")).isEqualTo("accepted");
        assertThat(redis.opsForSet().isMember(voters(0), user.toString())).isTrue();
    }

    @Test
    void jsonSubtypesAndOtherCharsetsAreRead() {
        assertThat(http.post(path, newUser(), null, "application/vnd.pollster+json", VoteHttp.body(answers()))
                        .status())
                .isEqualTo(202);
        assertThat(http.post(path, newUser(), null, "application/json;charset=ISO-8859-1", VoteHttp.body(answers()))
                        .status())
                .isEqualTo(202);
    }

    @Test
    void aBodyThatIsNotJsonIs415AndWritesNothing() {
        String user = newUser();
        String body = VoteHttp.body(answers());

        assertProblem(http.post(path, user, null, "text/plain", body), 415, "unsupported-media-type");
        assertProblem(http.post(path, user, null, "application/xml", ""), 415, "unsupported-media-type");
        assertProblem(http.post(path, user, null, "not a media type", body), 415, "unsupported-media-type");
        // a body without a Content-Type is application/octet-stream
        assertProblem(
                send(path, user, null, body.getBytes(StandardCharsets.UTF_8), false), 415, "unsupported-media-type");
        assertNothingWritten(user);
    }

    @Test
    void noBodyOrNullIs400ValidationOfAnswers() {
        String user = newUser();

        VoteHttp.Answer none = send(path, user, null, new byte[0], false);
        assertProblem(none, 400, "validation");
        assertThat(none.json().get("errors").get(0).get("field").asString()).isEqualTo("answers");
        assertProblem(http.post(path, user, null, "application/json", "null"), 400, "validation");
        assertProblem(http.post(path, user, null, "application/json", "{\"answers\":null}"), 400, "validation");
        assertNothingWritten(user);
    }

    @Test
    void unreadableJsonIs400MalformedRequest() {
        String user = newUser();

        assertProblem(http.post(path, user, null, "application/json", "{\"answers\":[{]}"), 400, "malformed-request");
        assertProblem(http.post(path, user, null, "application/json", "[1,2]"), 400, "malformed-request");
        assertProblem(
                http.post(path, user, null, "application/json", VoteHttp.body(answers()) + " trailing"),
                400,
                "malformed-request");
        assertNothingWritten(user);
    }

    @Test
    void aBodyOver64KiBIs413WhetherDeclaredOrStreamed() {
        String user = newUser();
        byte[] large =
                ("{\"answers\":[],\"padding\":\"" + "x".repeat(70 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);

        assertProblem(send(path, user, "application/json", large, false), 413, "payload-too-large");
        assertProblem(send(path, user, "application/json", large, true), 413, "payload-too-large");
        assertNothingWritten(user);
    }

    /** A POST of exactly these bytes, with a Content-Length, or streamed in chunks without one. */
    private VoteHttp.Answer send(String target, String user, String contentType, byte[] body, boolean chunked) {
        HttpRequest.BodyPublisher publisher = chunked
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + target))
                .header("X-User-Id", user)
                .POST(publisher);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build());
    }

    private List<UUID[]> answers() {
        return poll.questions().stream()
                .map(q -> new UUID[] {q.questionId(), q.choices().get(0).choiceId()})
                .toList();
    }

    private static String newUser() {
        return UUID.randomUUID().toString();
    }

    private String voters(int question) {
        return RedisKeys.voters(
                shards.of(poll.pollId()), poll.questions().get(question).questionId());
    }

    private void assertNothingWritten(String user) {
        for (int q = 0; q < poll.questions().size(); q++) {
            assertThat(redis.opsForSet().isMember(voters(q), user)).isFalse();
        }
    }
}
