package io.pollster.jobs.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pollster.embedded.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/**
 * The {@code s3} archive store against a real S3 API: Adobe's S3Mock, started as its own process. The
 * store is built the way the application builds it, from {@code pollster.jobs.archive.*} properties.
 */
class S3ObjectStoreIT {

    private static final String BUCKET = "pollster-archive";
    private static final Duration STARTUP = Duration.ofSeconds(120);

    private static Process server;
    private static URI endpoint;
    private static S3Client reader;

    @TempDir
    Path work;

    @BeforeAll
    static void startServer(@TempDir Path storeRoot) throws Exception {
        String jar = System.getProperty("pollster.test.s3-server-jar");
        assertThat(jar).as("the S3 server jar, copied by the jobs POM").isNotBlank();
        assertThat(Path.of(jar)).exists();
        int port = freePort();
        endpoint = URI.create("http://127.0.0.1:" + port);
        String java = ProcessHandle.current().info().command().orElse("java");
        server = new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        jar,
                        "--com.adobe.testing.s3mock.httpPort=" + port,
                        "--server.port=0",
                        "--com.adobe.testing.s3mock.store.initialBuckets=" + BUCKET,
                        "--com.adobe.testing.s3mock.store.root=" + storeRoot,
                        "--spring.main.banner-mode=off")
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", "s3-server.log").toFile())
                .start();
        awaitListening();
        reader = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (reader != null) {
            reader.close();
        }
        if (server != null) {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void archiveFilesArriveWholeUnderThePrefixWithTheirContentType() throws Exception {
        // several MiB: more than one buffer of the SDK's upload, and than one chunk of its checksum
        Path csv = randomFile("responses.csv", 3 * 1024 * 1024 + 17);
        Path json = work.resolve("poll.json");
        Files.writeString(json, "{\"format\":1}");

        try (S3ObjectStore store = storeFor(BUCKET)) {
            store.put("polls/p1/responses.csv", csv, "text/csv; charset=utf-8");
            store.put("polls/p1/poll.json", json, "application/json");
            assertThat(store.location("polls/p1/")).isEqualTo("s3://" + BUCKET + "/pollster/polls/p1/");
        }

        ResponseBytes<GetObjectResponse> stored =
                reader.getObjectAsBytes(r -> r.bucket(BUCKET).key("pollster/polls/p1/responses.csv"));
        assertThat(stored.asByteArray()).isEqualTo(Files.readAllBytes(csv));
        // S3Mock writes media type parameters back without the space; S3 returns them as sent
        assertThat(stored.response().contentType().replace(" ", "")).isEqualTo("text/csv;charset=utf-8");
        assertThat(reader.getObjectAsBytes(r -> r.bucket(BUCKET).key("pollster/polls/p1/poll.json"))
                        .asUtf8String())
                .isEqualTo("{\"format\":1}");
        assertThat(reader.listObjectsV2(r -> r.bucket(BUCKET).prefix("pollster/polls/p1/"))
                        .contents())
                .extracting(o -> o.key())
                .containsExactlyInAnyOrder("pollster/polls/p1/poll.json", "pollster/polls/p1/responses.csv");
    }

    @Test
    void aFileLargerThanAPartGoesUpInPartsAndArrivesWhole() throws Exception {
        Path csv = randomFile("big.csv", 12 * 1024 * 1024 + 3);

        AtomicInteger progress = new AtomicInteger();
        try (S3ObjectStore store = storeFor(BUCKET, "5MB")) {
            store.put("polls/p4/responses.csv", csv, "text/csv; charset=utf-8", progress::incrementAndGet);
        }
        assertThat(progress).as("progress reported once a part").hasValue(3);

        ResponseBytes<GetObjectResponse> stored =
                reader.getObjectAsBytes(r -> r.bucket(BUCKET).key("pollster/polls/p4/responses.csv"));
        assertThat(stored.asByteArray()).isEqualTo(Files.readAllBytes(csv));
        assertThat(stored.response().contentType().replace(" ", "")).isEqualTo("text/csv;charset=utf-8");
        // a multipart object's ETag ends in its number of parts: 5 + 5 + 2 MiB
        assertThat(stored.response().eTag()).endsWith("-3\"");
        assertThat(reader.listMultipartUploads(r -> r.bucket(BUCKET)).uploads())
                .as("no upload left open")
                .isEmpty();
    }

    @Test
    void aPartSizeBelowS3sMinimumIsRefusedAtStartup() {
        assertThatThrownBy(() -> storeFor(BUCKET, "1MB"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pollster.jobs.archive.s3.part-size must be at least 5MB");
    }

    @Test
    void aRetriedArchiveReplacesTheObjectWhole() throws Exception {
        Path first = randomFile("first.csv", 200_000);
        Path second = randomFile("second.csv", 1_000);

        try (S3ObjectStore store = storeFor(BUCKET)) {
            store.put("polls/p2/responses.csv", first, "text/csv; charset=utf-8");
            store.put("polls/p2/responses.csv", second, "text/csv; charset=utf-8");
        }

        assertThat(reader.getObjectAsBytes(r -> r.bucket(BUCKET).key("pollster/polls/p2/responses.csv"))
                        .asByteArray())
                .isEqualTo(Files.readAllBytes(second));
    }

    @Test
    void aMissingBucketFailsThePutInsteadOfLosingTheArchiveQuietly() throws Exception {
        Path json = work.resolve("poll.json");
        Files.writeString(json, "{}");

        try (S3ObjectStore store = storeFor("no-such-bucket")) {
            assertThatThrownBy(() -> store.put("polls/p3/poll.json", json, "application/json"))
                    .isInstanceOf(NoSuchBucketException.class);
        }
    }

    /** The store the application would build from these {@code pollster.jobs.archive.*} properties. */
    private static S3ObjectStore storeFor(String bucket) {
        return storeFor(bucket, "64MB");
    }

    private static S3ObjectStore storeFor(String bucket, String partSize) {
        Map<String, String> properties = Map.of(
                "pollster.jobs.archive.s3.part-size", partSize,
                "pollster.jobs.archive.store", "s3",
                "pollster.jobs.archive.s3.bucket", bucket,
                "pollster.jobs.archive.s3.prefix", "pollster/",
                "pollster.jobs.archive.s3.endpoint", endpoint.toString(),
                "pollster.jobs.archive.s3.path-style", "true",
                "pollster.jobs.archive.s3.access-key", "test",
                "pollster.jobs.archive.s3.secret-key", "test");
        ArchiveProperties archive = new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("pollster.jobs.archive", ArchiveProperties.class);
        return (S3ObjectStore) new ArchiveStoreConfiguration().archiveObjectStore(archive);
    }

    private Path randomFile(String name, int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return Files.write(work.resolve(name), bytes);
    }

    private static void awaitListening() {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(server.isAlive())
                    .as("S3 server exited; see target/s3-server.log")
                    .isTrue();
            try {
                HttpRequest probe =
                        HttpRequest.newBuilder(endpoint.resolve("/")).build();
                return http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() < 500;
            } catch (IOException notListeningYet) {
                return false;
            }
        });
    }

    private static int freePort() {
        return FreePorts.pick();
    }
}
