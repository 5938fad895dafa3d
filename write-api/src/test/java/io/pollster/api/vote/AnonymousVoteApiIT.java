package io.pollster.api.vote;

import static io.pollster.api.vote.VoteApiIT.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.identity.VoterIds;
import io.pollster.core.redis.RedisKeys;
import io.pollster.core.redis.Shards;
import io.pollster.testing.PollsterIntegrationTest;
import io.pollster.testing.TestServers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Anonymous polls (docs/api.md "Polls", {@code voters}) on real PostgreSQL and Redis: votes without a
 * user, one per device or client address, told apart by the same Lua check and the same PostgreSQL
 * constraint as users' votes, with the address kept in {@code responses.ip_address}. The address comes
 * from {@code X-Forwarded-For} sent from loopback, the trusted proxy of core's server defaults.
 */
@PollsterIntegrationTest
class AnonymousVoteApiIT {

    /** What the test servers' services derive voter ids with. */
    static final VoterIds VOTER_IDS = new VoterIds(TestServers.ANONYMOUS_SECRET);

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    AnonymousVoteHttp http;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    Shards shards;

    @BeforeEach
    void client() {
        http = new AnonymousVoteHttp(port);
    }

    @Test
    void anIpPollTakesOneVoteWithoutAUserPerClientAddress() throws Exception {
        AnonymousVoteHttp.TestPoll poll = http.create("ip");
        String address = AnonymousVoteHttp.randomAddress();

        VoteHttp.Answer first = http.vote(poll, 0, Map.of("X-Forwarded-For", address));
        assertThat(first.status()).as(first.body()).isEqualTo(202);
        UUID voteId = UUID.fromString(first.text("vote_id"));
        // the same address again: with a user, with a device id, with another choice: one voter still
        assertProblem(http.vote(poll, 1, Map.of("X-Forwarded-For", address)), 409, "already-voted");
        assertProblem(
                http.vote(
                        poll,
                        1,
                        Map.of(
                                "X-Forwarded-For",
                                address,
                                "X-User-Id",
                                UUID.randomUUID().toString())),
                409,
                "already-voted");
        assertProblem(
                http.vote(
                        poll,
                        1,
                        Map.of(
                                "X-Forwarded-For",
                                address,
                                VoterIds.DEVICE_HEADER,
                                UUID.randomUUID().toString())),
                409,
                "already-voted");
        assertThat(http.vote(poll, 1, Map.of("X-Forwarded-For", AnonymousVoteHttp.randomAddress()))
                        .status())
                .isEqualTo(202);

        UUID voter = VOTER_IDS.ofAddress(address).orElseThrow();
        awaitRecorded(poll, voteId);
        assertThat(responsesOf(poll, voter)).containsExactly(Map.of("ip_address", address, "vote_id", voteId));
        assertThat(responseCount(poll)).isEqualTo(2 * AnonymousVoteHttp.TestPoll.QUESTIONS);
        assertThat(redis.opsForSet()
                        .isMember(RedisKeys.voters(shards.of(poll.pollId()), poll.question(0)), voter.toString()))
                .isTrue();
    }

    @Test
    void anIpv6ClientIsOneVoterHoweverItsAddressIsSpelled() throws Exception {
        AnonymousVoteHttp.TestPoll poll = http.create("ip");
        String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(1, 0xffff));

        assertThat(http.vote(poll, 0, Map.of("X-Forwarded-For", "2001:db8::" + suffix))
                        .status())
                .isEqualTo(202);
        assertProblem(
                http.vote(poll, 1, Map.of("X-Forwarded-For", "2001:0db8:0:0:0:0:0:" + suffix)), 409, "already-voted");
    }

    @Test
    void theVoteStatusEndpointFollowsAnAnonymousVote() throws Exception {
        AnonymousVoteHttp.TestPoll poll = http.create("device");
        VoteHttp.Answer accepted = http.vote(
                poll, 0, Map.of(VoterIds.DEVICE_HEADER, UUID.randomUUID().toString()));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        UUID voteId = UUID.fromString(accepted.text("vote_id"));

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() ->
                        assertThat(http.status(poll, voteId).text("status")).isEqualTo("recorded"));
    }

    @Test
    void aDevicePollTakesOneVotePerDeviceIdAndKeepsTheAddress() throws Exception {
        AnonymousVoteHttp.TestPoll poll = http.create("device");
        UUID device = UUID.randomUUID();

        VoteHttp.Answer first = http.vote(poll, 0, Map.of(VoterIds.DEVICE_HEADER, device.toString()));
        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertProblem(http.vote(poll, 1, Map.of(VoterIds.DEVICE_HEADER, device.toString())), 409, "already-voted");
        assertProblem(
                http.vote(
                        poll,
                        1,
                        Map.of(
                                VoterIds.DEVICE_HEADER,
                                device.toString().toUpperCase(),
                                "X-User-Id",
                                UUID.randomUUID().toString())),
                409,
                "already-voted");
        // another device on the same address is another voter
        VoteHttp.Answer other = http.vote(
                poll, 1, Map.of(VoterIds.DEVICE_HEADER, UUID.randomUUID().toString()));
        assertThat(other.status()).as(other.body()).isEqualTo(202);

        UUID voteId = UUID.fromString(first.text("vote_id"));
        awaitRecorded(poll, voteId);
        // the two votes may reach PostgreSQL in different batches
        awaitRecorded(poll, UUID.fromString(other.text("vote_id")));
        assertThat(responsesOf(poll, VOTER_IDS.ofDevice(device)))
                .containsExactly(Map.of("ip_address", "127.0.0.1", "vote_id", voteId));
        assertThat(responseCount(poll)).isEqualTo(2 * AnonymousVoteHttp.TestPoll.QUESTIONS);
    }

    @Test
    void aDevicePollWithoutAValidDeviceIdIs400AndWritesNothing() throws Exception {
        AnonymousVoteHttp.TestPoll poll = http.create("device");

        for (Map<String, String> headers : List.of(
                Map.<String, String>of(),
                Map.of(VoterIds.DEVICE_HEADER, ""),
                Map.of(VoterIds.DEVICE_HEADER, "not-a-uuid"),
                Map.of(VoterIds.DEVICE_HEADER, "1-1-1-1-1"),
                // a user does not stand in for the device
                Map.of("X-User-Id", UUID.randomUUID().toString()))) {
            VoteHttp.Answer refused = http.vote(poll, 0, headers);
            assertProblem(refused, 400, "validation");
            assertThat(refused.json().get("errors").get(0).get("field").asString())
                    .isEqualTo(VoterIds.DEVICE_HEADER);
        }
        assertThat(redis.opsForSet().size(RedisKeys.voters(shards.of(poll.pollId()), poll.question(0))))
                .isZero();
        assertThat(responseCount(poll)).isZero();
    }

    @Test
    void aUserPollStillNeedsAUserAndAnUnknownPollIs404() throws Exception {
        AnonymousVoteHttp.TestPoll poll = http.create("user");

        assertProblem(
                http.vote(poll, 0, Map.of("X-Forwarded-For", AnonymousVoteHttp.randomAddress())),
                401,
                "unauthenticated");
        assertProblem(
                http.vote(
                        poll,
                        0,
                        Map.of(VoterIds.DEVICE_HEADER, UUID.randomUUID().toString())),
                401,
                "unauthenticated");
        // without a user, a body that is not even valid is still a question of identity first
        assertProblem(http.send("/api/polls/" + poll.pollId() + "/votes", Map.of(), "{}"), 401, "unauthenticated");
        assertProblem(
                http.send("/api/polls/" + UUID.randomUUID() + "/votes", Map.of(), VoteHttp.body(poll.answers(0))),
                404,
                "not-found");
        assertThat(redis.opsForSet().size(RedisKeys.voters(shards.of(poll.pollId()), poll.question(0))))
                .isZero();
        // and with a user it votes as ever, the user being the voter, no address kept
        UUID user = UUID.randomUUID();
        VoteHttp.Answer accepted = http.vote(
                poll, 0, Map.of("X-User-Id", user.toString(), "X-Forwarded-For", AnonymousVoteHttp.randomAddress()));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        UUID voteId = UUID.fromString(accepted.text("vote_id"));
        awaitRecorded(poll, voteId);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("ip_address", null);
        row.put("vote_id", voteId);
        assertThat(responsesOf(poll, user)).containsExactly(row);
    }

    /**
     * The last word is PostgreSQL's: a vote the Lua check lets through because Redis lost its voter
     * sets is refused by the same UNIQUE constraint as a user's, and its status says so.
     */
    @Test
    void anAnonymousDuplicateRedisForgotIsRejectedByPostgres() throws Exception {
        AnonymousVoteHttp.TestPoll poll = http.create("ip");
        String address = AnonymousVoteHttp.randomAddress();
        VoteHttp.Answer first = http.vote(poll, 0, Map.of("X-Forwarded-For", address));
        assertThat(first.status()).as(first.body()).isEqualTo(202);
        awaitRecorded(poll, UUID.fromString(first.text("vote_id")));

        int shard = shards.of(poll.pollId());
        for (int q = 0; q < AnonymousVoteHttp.TestPoll.QUESTIONS; q++) {
            redis.delete(RedisKeys.voters(shard, poll.question(q)));
        }
        VoteHttp.Answer again = http.vote(poll, 1, Map.of("X-Forwarded-For", address));
        assertThat(again.status()).as(again.body()).isEqualTo(202);
        UUID secondVote = UUID.fromString(again.text("vote_id"));

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() ->
                        assertThat(http.status(poll, secondVote).text("status")).isEqualTo("rejected"));
        assertThat(responseCount(poll)).isEqualTo(AnonymousVoteHttp.TestPoll.QUESTIONS);
        assertThat(responsesOf(poll, VOTER_IDS.ofAddress(address).orElseThrow()))
                .containsExactly(Map.of("ip_address", address, "vote_id", UUID.fromString(first.text("vote_id"))));
    }

    private void awaitRecorded(AnonymousVoteHttp.TestPoll poll, UUID voteId) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> jdbc.sql("SELECT count(*) FROM responses WHERE vote_id = ?")
                                .param(voteId)
                                .query(Long.class)
                                .single()
                        == AnonymousVoteHttp.TestPoll.QUESTIONS);
    }

    /** The distinct (ip_address, vote_id) of a voter's responses in the poll. */
    List<Map<String, Object>> responsesOf(AnonymousVoteHttp.TestPoll poll, UUID voter) {
        return jdbc.sql("SELECT DISTINCT ip_address, vote_id FROM responses WHERE poll_id = ? AND user_id = ?")
                .params(poll.pollId(), voter)
                .query()
                .listOfRows();
    }

    long responseCount(AnonymousVoteHttp.TestPoll poll) {
        return jdbc.sql("SELECT count(*) FROM responses WHERE poll_id = ?")
                .param(poll.pollId())
                .query(Long.class)
                .single();
    }
}
