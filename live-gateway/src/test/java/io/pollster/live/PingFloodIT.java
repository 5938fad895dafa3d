package io.pollster.live;

import static io.pollster.live.ws.ClientFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.live.fanout.FanoutMetrics;
import io.pollster.testing.PollsterIntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A client that floods pings and reads nothing. Each ping used to queue a pong of its own, unbounded; now
 * a newer pong replaces an unsent one, so the heap stays bounded, and the client is disconnected: by the
 * send timeout (the stuck pongs count as a write in flight) or, since a client that reads nothing never
 * answers our ping either, by the pong timeout. The send timeout alone does not yet catch every such
 * client (seen here: no disconnect within 3 minutes after the flood, with no lock held), which is why the
 * pong timeout is on in this test; docs/live-results.md says so.
 */
@PollsterIntegrationTest(
        classes = LiveGatewayApplication.class,
        properties = {
            // long enough for the flood to run its course on a loaded machine before the stuck pong cuts it off
            "pollster.live.send-timeout=30s",
            "pollster.live.ping-interval=5s",
            "pollster.live.pong-timeout=20s"
        })
class PingFloodIT {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    FanoutMetrics metrics;

    @Autowired
    ServletWebServerApplicationContext context;

    @BeforeAll
    static void migrate() {
        TestPolls.migrateSchema();
    }

    @Test
    void aClientFloodingPingsWithoutReadingIsDisconnectedAndTheHeapStaysBounded() throws Exception {
        TestPolls.Poll poll = new TestPolls(jdbc, redis).create(1, 2);
        double slowBefore = metrics.disconnectedSlowCount();
        double pongTimeoutsBefore = metrics.disconnectedCount("pong-timeout");
        long connectionsBefore = openConnections();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        // 1 MiB of pings with 125-byte payloads
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        byte[] ping = frame(0x9, new byte[125]);
        while (batch.size() < (1 << 20)) {
            batch.writeBytes(ping);
        }
        byte[] flood = batch.toByteArray();

        long heapBefore = usedHeapAfterGc(memory);
        long sent = 0;
        long maxGrowth = 0;
        try (RawWebSocket ws = RawWebSocket.open(port, "/ws/polls/" + poll.pollId(), RawWebSocket.freshIp(), 4096)) {
            boolean cutOff = false;
            while (sent < 48L << 20 && !cutOff) {
                try {
                    ws.send(flood);
                    sent += flood.length;
                } catch (IOException disconnected) {
                    cutOff = true;
                }
                if (sent % (8L << 20) < flood.length) {
                    maxGrowth = Math.max(maxGrowth, usedHeapAfterGc(memory) - heapBefore);
                }
            }
            maxGrowth = Math.max(maxGrowth, usedHeapAfterGc(memory) - heapBefore);
            assertThat(sent)
                    .as("enough sent to matter: each unanswered ping used to keep a pong of its own")
                    .isGreaterThanOrEqualTo(16L << 20);
            // still reading nothing, so answering no ping. The client sends nothing more: a blocking write
            // here could hang the wait itself
            await().atMost(Duration.ofMinutes(3))
                    .until(() -> metrics.disconnectedSlowCount() > slowBefore
                            || metrics.disconnectedCount("pong-timeout") > pongTimeoutsBefore);
        }
        System.out.printf(
                "ping flood: %d MiB sent without reading, heap growth at most %.1f MiB%n",
                sent >> 20, maxGrowth / 1048576.0);
        assertThat(maxGrowth)
                .as("heap growth while %d MiB of pings were sent", sent >> 20)
                .isLessThan(16L << 20);
        // a pong timeout closes with a close frame the client never reads: the close timeout (30 s) ends it
        await().atMost(Duration.ofSeconds(90)).until(() -> openConnections() <= connectionsBefore);
    }

    @Test
    void aClientThatBreaksTheProtocolAndReadsNothingIsDroppedAfterTheCloseTimeout() throws Exception {
        TestPolls.Poll poll = new TestPolls(jdbc, redis).create(1, 2);
        long connectionsBefore = openConnections();
        double violationsBefore = metrics.disconnectedCount("protocol-error");
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        while (batch.size() < (1 << 20)) {
            batch.writeBytes(frame(0x9, new byte[125]));
        }
        byte[] pings = batch.toByteArray();
        try (RawWebSocket ws = RawWebSocket.open(port, "/ws/polls/" + poll.pollId(), RawWebSocket.freshIp(), 4096)) {
            // fill both sides' socket buffers with pongs, so the server's close frame cannot go out
            for (int i = 0; i < 16; i++) {
                ws.send(pings);
            }
            ws.send(frame(true, 0, 0x3, true, new byte[0]));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> metrics.disconnectedCount("protocol-error") > violationsBefore);

            // the failed connection has left its feed, so no send timeout watches it: the close timeout
            // (the send timeout's value, 30 s) is what must end it
            await().atMost(Duration.ofMinutes(3)).until(() -> openConnections() <= connectionsBefore);
        }
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) {
        memory.gc();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** Connections Tomcat holds open on the server port. */
    private long openConnections() {
        TomcatWebServer server = (TomcatWebServer) context.getWebServer();
        return ((AbstractProtocol<?>) server.getTomcat().getConnector().getProtocolHandler()).getConnectionCount();
    }
}
