package io.pollster.jobs.archive;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** The archive's {@link ObjectStore}, chosen by {@code pollster.jobs.archive.store}. */
@Configuration(proxyBeanMethods = false)
class ArchiveStoreConfiguration {

    @Bean
    ObjectStore archiveObjectStore(ArchiveProperties properties) {
        return switch (properties.store()) {
            case DIRECTORY -> new DirectoryObjectStore(properties.dir());
            case S3 -> s3(properties.s3());
        };
    }

    private static ObjectStore s3(ArchiveProperties.S3 settings) {
        if (settings.bucket() == null || settings.bucket().isBlank()) {
            throw new IllegalStateException("pollster.jobs.archive.store=s3 needs pollster.jobs.archive.s3.bucket");
        }
        if (settings.partSize().toBytes() < S3ObjectStore.MIN_PART_SIZE) {
            throw new IllegalStateException(
                    "pollster.jobs.archive.s3.part-size must be at least 5MB (S3's smallest part), not "
                            + settings.partSize());
        }
        S3ClientBuilder builder =
                S3Client.builder().region(Region.of(settings.region())).forcePathStyle(settings.pathStyle());
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        builder.credentialsProvider(
                settings.accessKey() == null
                        ? DefaultCredentialsProvider.builder().build()
                        : StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())));
        return new S3ObjectStore(
                builder.build(),
                settings.bucket(),
                settings.prefix(),
                settings.partSize().toBytes());
    }
}
