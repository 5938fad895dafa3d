package io.pollster.jobs.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Objects in an S3-compatible bucket. A file up to {@code partSize} is one PUT; a larger one is a
 * multipart upload (S3 takes at most 5 GB in one PUT), completed only once every part is in. Either
 * way readers see the old object or the new one, never part of it.
 */
final class S3ObjectStore implements ObjectStore, AutoCloseable {

    /** S3's smallest part, but for the last. */
    static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    /** S3's largest number of parts in one upload. */
    private static final int MAX_PARTS = 10_000;

    private static final Logger log = LoggerFactory.getLogger(S3ObjectStore.class);

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final long partSize;

    /** {@code partSize} at least {@link #MIN_PART_SIZE}, as {@link ArchiveStoreConfiguration} checks. */
    S3ObjectStore(S3Client s3, String bucket, String prefix, long partSize) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.partSize = partSize;
    }

    @Override
    public void put(String key, Path content, String contentType, Runnable progress) throws IOException {
        long size = Files.size(content);
        if (size <= partSize) {
            s3.putObject(
                    PutObjectRequest.builder()
                            .bucket(bucket)
                            .key(prefix + key)
                            .contentType(contentType)
                            .build(),
                    RequestBody.fromFile(content));
        } else {
            putInParts(prefix + key, content, size, contentType, progress);
        }
    }

    private void putInParts(String key, Path content, long size, String contentType, Runnable progress) {
        // a part size that keeps any file within S3's 10,000 parts
        long part = Math.max(partSize, (size + MAX_PARTS - 1) / MAX_PARTS);
        String uploadId = s3.createMultipartUpload(r ->
                        r.bucket(bucket).key(key).contentType(contentType).checksumAlgorithm(ChecksumAlgorithm.CRC32))
                .uploadId();
        long count = (size + part - 1) / part;
        log.info("Uploading {} ({} bytes) in {} parts of {} bytes", key, size, count, part);
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (long offset = 0; offset < size; offset += part) {
                int number = parts.size() + 1;
                long from = offset;
                long length = Math.min(part, size - offset);
                UploadPartResponse uploaded = s3.uploadPart(
                        r -> r.bucket(bucket)
                                .key(key)
                                .uploadId(uploadId)
                                .partNumber(number)
                                .contentLength(length)
                                .checksumAlgorithm(ChecksumAlgorithm.CRC32),
                        // a new stream per attempt: the SDK can retry a part
                        RequestBody.fromContentProvider(
                                () -> FileRegion.open(content, from, length), length, contentType));
                parts.add(CompletedPart.builder()
                        .partNumber(number)
                        .eTag(uploaded.eTag())
                        .checksumCRC32(uploaded.checksumCRC32())
                        .build());
                progress.run();
                if (number % 10 == 0) {
                    log.info("Uploading {}: {} of {} parts in", key, number, count);
                }
            }
            s3.completeMultipartUpload(
                    r -> r.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
            log.info("Uploaded {} ({} bytes) in {} parts", key, size, parts.size());
        } catch (RuntimeException e) {
            // parts left behind are billed storage, invisible to readers
            try {
                s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
            } catch (RuntimeException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }

    @Override
    public String location(String key) {
        return "s3://" + bucket + "/" + prefix + key;
    }

    @Override
    public void close() {
        s3.close();
    }

    /** {@code length} bytes of a file from {@code offset}, read straight from its channel. */
    private static final class FileRegion extends InputStream {

        private final FileChannel channel;
        private long remaining;

        private FileRegion(FileChannel channel, long remaining) {
            this.channel = channel;
            this.remaining = remaining;
        }

        static InputStream open(Path file, long offset, long length) {
            try {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                channel.position(offset);
                return new FileRegion(channel, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = channel.read(ByteBuffer.wrap(buffer, off, (int) Math.min(len, remaining)));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
