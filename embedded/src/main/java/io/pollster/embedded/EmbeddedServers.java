package io.pollster.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The embedded servers of one Pollster process, started together on one data directory and stopped
 * together, PostgreSQL and Redis each only when not configured externally. An exclusive lock on the
 * data directory makes a second process on the same data fail fast instead of corrupting it. Once
 * {@linkplain #supervise supervised}, a server that dies is restarted on its data and port.
 */
public final class EmbeddedServers implements AutoCloseable {

    private final FileChannel lockChannel;
    private final FileLock lock;
    private final EmbeddedPostgresServer postgres;
    private final EmbeddedRedisServer redis;
    private EmbeddedServerSupervisor supervisor;

    private EmbeddedServers(
            FileChannel lockChannel, FileLock lock, EmbeddedPostgresServer postgres, EmbeddedRedisServer redis) {
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.postgres = postgres;
        this.redis = redis;
    }

    /**
     * Locks {@code properties.dataDir()} and starts what was asked for.
     *
     * @throws DataDirectoryInUseException if another process already runs on that data directory
     */
    public static EmbeddedServers start(EmbeddedProperties properties, boolean withPostgres, boolean withRedis) {
        Path dataDir = properties.dataDir().toAbsolutePath().normalize();
        FileChannel channel = null;
        try {
            Files.createDirectories(dataDir);
            Path lockFile = dataDir.resolve(".pollster.lock");
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel);
            if (lock == null) {
                throw new DataDirectoryInUseException(dataDir);
            }
            EmbeddedPostgresServer postgres = withPostgres
                    ? new EmbeddedPostgresServer(
                                    dataDir.resolve("postgres"), properties.postgresPort(), properties.durable())
                            .start()
                    : null;
            EmbeddedRedisServer redis = null;
            try {
                redis = withRedis
                        ? new EmbeddedRedisServer(
                                        dataDir.resolve("redis"), properties.redisPort(), properties.durable())
                                .start()
                        : null;
            } catch (RuntimeException e) {
                if (postgres != null) {
                    postgres.close();
                }
                throw e;
            }
            return new EmbeddedServers(channel, lock, postgres, redis);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("could not prepare data directory " + dataDir, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            return null;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to protect: we never held the lock
            }
        }
    }

    public Optional<EmbeddedPostgresServer> postgres() {
        return Optional.ofNullable(postgres);
    }

    public Optional<EmbeddedRedisServer> redis() {
        return Optional.ofNullable(redis);
    }

    /** The servers that run here: PostgreSQL first, then Redis. */
    public List<EmbeddedServer> all() {
        List<EmbeddedServer> all = new ArrayList<>();
        postgres().ifPresent(all::add);
        redis().ifPresent(all::add);
        return all;
    }

    /**
     * From now on, restarts a server that dies and tells {@code listener}; until {@link #close()}, which
     * stops the supervision before it stops the servers.
     */
    public synchronized void supervise(EmbeddedSupervisionProperties properties, EmbeddedServerListener listener) {
        if (supervisor != null || !properties.enabled()) {
            return;
        }
        supervisor = new EmbeddedServerSupervisor(all(), properties, listener);
        supervisor.start();
    }

    /**
     * Stops Redis, then PostgreSQL, then releases the data directory. Called last, once nothing in the
     * process uses them any more.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (supervisor != null) {
                supervisor.close();
            }
        }
        try {
            if (redis != null) {
                redis.close();
            }
        } finally {
            try {
                if (postgres != null) {
                    postgres.close();
                }
            } finally {
                try {
                    lock.release();
                    lockChannel.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** Another Pollster process already runs on this data directory. */
    public static final class DataDirectoryInUseException extends IllegalStateException {
        DataDirectoryInUseException(Path dataDir) {
            super(
                    "Another Pollster process is already running on data directory " + dataDir
                            + ". Stop it, or give this one its own directory with --pollster.embedded.data-dir=<path>"
                            + " (and its own ports with --pollster.embedded.postgres-port and --pollster.embedded.redis-port).");
        }
    }
}
