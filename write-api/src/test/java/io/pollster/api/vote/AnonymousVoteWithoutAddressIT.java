package io.pollster.api.vote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.identity.VoterIds;
import io.pollster.testing.PollsterIntegrationTest;
import io.pollster.testing.TestServers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@code pollster.votes.store-ip-address=false}: anonymous votes count as ever, and no address is kept. */
@PollsterIntegrationTest(properties = "pollster.votes.store-ip-address=false")
class AnonymousVoteWithoutAddressIT {

    private static final VoterIds VOTER_IDS = new VoterIds(TestServers.ANONYMOUS_SECRET);

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Test
    void anonymousVotesAreDedupedByTheAddressButKeepNone() throws Exception {
        AnonymousVoteHttp http = new AnonymousVoteHttp(port);
        AnonymousVoteHttp.TestPoll byAddress = http.create("ip");
        AnonymousVoteHttp.TestPoll byDevice = http.create("device");
        String address = AnonymousVoteHttp.randomAddress();
        UUID device = UUID.randomUUID();

        assertThat(http.vote(byAddress, 0, Map.of("X-Forwarded-For", address)).status())
                .isEqualTo(202);
        assertThat(http.vote(byAddress, 1, Map.of("X-Forwarded-For", address)).status())
                .isEqualTo(409);
        assertThat(http.vote(byDevice, 0, Map.of("X-Forwarded-For", address, VoterIds.DEVICE_HEADER, device.toString()))
                        .status())
                .isEqualTo(202);

        for (AnonymousVoteHttp.TestPoll poll : List.of(byAddress, byDevice)) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> jdbc.sql("SELECT count(*) FROM responses WHERE poll_id = ?")
                                    .param(poll.pollId())
                                    .query(Long.class)
                                    .single()
                            == AnonymousVoteHttp.TestPoll.QUESTIONS);
        }
        assertThat(jdbc.sql("SELECT DISTINCT user_id FROM responses WHERE poll_id = ?")
                        .param(byAddress.pollId())
                        .query(UUID.class)
                        .list())
                .containsExactly(VOTER_IDS.ofAddress(address).orElseThrow());
        assertThat(jdbc.sql("SELECT DISTINCT user_id FROM responses WHERE poll_id = ?")
                        .param(byDevice.pollId())
                        .query(UUID.class)
                        .list())
                .containsExactly(VOTER_IDS.ofDevice(device));
        assertThat(jdbc.sql("SELECT count(*) FROM responses WHERE poll_id IN (?, ?) AND ip_address IS NOT NULL")
                        .params(byAddress.pollId(), byDevice.pollId())
                        .query(Long.class)
                        .single())
                .isZero();
    }
}
