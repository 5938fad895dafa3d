package io.pollster.topology;

import static org.awaitility.Awaitility.await;

import io.pollster.embedded.FreePorts;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * An S3 API in place of the compose file's MinIO: Adobe's S3Mock executable jar as its own process,
 * with the bucket the {@code minio-bucket} service would create.
 */
public final class S3Server implements AutoCloseable {

    private final int port = FreePorts.pick();
    private final ManagedProcess process;

    private S3Server(Path jar, Path dir, String bucket) {
        process = ManagedProcess.start(
                "s3",
                new ProcessBuilder(List.of(
                        Topology.java(),
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        jar.toString(),
                        "--com.adobe.testing.s3mock.httpPort=" + port,
                        "--server.port=0",
                        "--com.adobe.testing.s3mock.store.initialBuckets=" + bucket,
                        "--com.adobe.testing.s3mock.store.root=" + dir.resolve("store"),
                        "--spring.main.banner-mode=off")),
                dir.resolve("s3.log"));
    }

    static S3Server start(Path jar, Path dir, String bucket) {
        return new S3Server(jar, dir, bucket);
    }

    /** Waits until it accepts connections. */
    void awaitReady() {
        await("S3 server listening on " + address())
                .atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .failFast("the S3 server exited; see " + process.log(), () -> !process.isAlive())
                .until(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                        return true;
                    }
                });
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.stop();
    }
}
