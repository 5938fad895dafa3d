package io.pollster.embedded;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs embedded servers in a process of its own until it is killed, so a test can SIGKILL a Pollster
 * process and look at what it leaves behind.
 */
public final class HoldServersMain {

    public static void main(String[] args) throws InterruptedException {
        EmbeddedServers servers =
                EmbeddedServers.start(new EmbeddedProperties(true, Path.of(args[0]), 0, 0, true), true, true);
        System.out.println("READY " + servers.postgres().orElseThrow().port() + " "
                + servers.redis().orElseThrow().port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
