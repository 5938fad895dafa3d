package io.pollster.jobs.archive;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Archival of closed polls ({@code pollster.jobs.archive.*}).
 *
 * @param enabled whether this instance consumes {@code archival:stream-*} and sweeps
 * @param store where archives go: a local directory, or an S3-compatible bucket
 * @param dir the directory of {@link Store#DIRECTORY}
 * @param sweepInterval how often closed polls without an archive are looked for
 * @param minAge how long a poll has been closed before the sweep archives it (the archival stream
 *     archives it at once); leaves time for votes accepted just before closing to be ingested
 * @param lease how long an archive in progress is left to its instance before another takes over;
 *     extended as the archive progresses
 * @param progressEvery log progress every this many responses
 * @param fetchSize responses fetched per round trip while streaming them
 * @param s3 the bucket of {@link Store#S3}
 */
@ConfigurationProperties("pollster.jobs.archive")
@Validated
record ArchiveProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("directory") @NotNull Store store,
        @DefaultValue("./data/archive") @NotNull Path dir,
        @DefaultValue("30s") Duration sweepInterval,
        @DefaultValue("1m") Duration minAge,
        @DefaultValue("10m") Duration lease,
        @DefaultValue("100000") @Min(1) int progressEvery,
        @DefaultValue("1000") @Min(1) int fetchSize,
        @DefaultValue @Valid S3 s3) {

    enum Store {
        DIRECTORY,
        S3
    }

    /**
     * An S3-compatible bucket (AWS S3, MinIO).
     *
     * @param bucket the bucket, which must exist
     * @param prefix key prefix of every archive, e.g. {@code pollster/}
     * @param region the region (MinIO accepts any)
     * @param endpoint the endpoint of a non-AWS service, e.g. {@code http://localhost:9000}
     * @param pathStyle path-style addressing, which MinIO needs
     * @param accessKey static credentials; the AWS default chain when unset
     * @param secretKey static credentials, with {@code accessKey}
     * @param partSize files larger than this go up as a multipart upload in parts of this size (at
     *     least 5MB, S3's minimum; raised for a file that would need more than 10,000 parts)
     */
    record S3(
            String bucket,
            @DefaultValue("") String prefix,
            @DefaultValue("us-east-1") String region,
            URI endpoint,
            @DefaultValue("false") boolean pathStyle,
            String accessKey,
            String secretKey,
            @DefaultValue("64MB") DataSize partSize) {}
}
