package io.pollster.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thousands of WebSocket viewers on a few selector threads, for the fan-out benchmark. A JDK
 * {@code WebSocket} per viewer costs the 2-core benchmark machine more CPU than the server spends
 * sending to it, so the benchmark would mostly measure itself; this client does only what a viewer
 * must: the HTTP upgrade, reading the server's (unmasked) frames, answering pings with masked pongs
 * and close with a masked close. Of a text message it reads only the top-level {@code version} field.
 *
 * <p>Each receipt (viewer, version, time) is appended to the selector thread's own log while
 * {@link #recording} is on, so the latency of every vote to every viewer can be computed afterwards,
 * after all acknowledgement times are known. Frames of one viewer are always handled by the same
 * thread, in order.
 */
final class WebSocketViewers implements AutoCloseable {

    private static final byte[] VERSION_FIELD = "\"version\":".getBytes(StandardCharsets.US_ASCII);
    /** A receipt log stops growing here (2 longs per receipt), so a run without a frame cap cannot exhaust the heap. */
    private static final int MAX_RECEIPTS_PER_THREAD = 20_000_000;

    private final InetSocketAddress address;
    private final byte[] upgradeRequest;
    private final Loop[] loops;
    private final Viewer[] viewers;
    private final Semaphore handshakes;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicLong backwards = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong closesReceived = new AtomicLong();
    private volatile boolean recording;

    WebSocketViewers(URI base, String path, int count, int threads, int concurrentHandshakes) throws IOException {
        this.address = new InetSocketAddress(base.getHost(), base.getPort());
        String key = Base64.getEncoder().encodeToString(new byte[16]);
        this.upgradeRequest = ("GET " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                        + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        this.viewers = new Viewer[count];
        this.handshakes = new Semaphore(concurrentHandshakes);
        this.loops = new Loop[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new Loop(i);
            loops[i].thread.start();
        }
    }

    /** Opens every viewer, at most {@code concurrentHandshakes} upgrades at a time; returns how many upgraded. */
    int connectAll(long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (int i = 0; i < viewers.length; i++) {
            if (!handshakes.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            Viewer viewer = new Viewer(i, loops[i % loops.length]);
            viewers[i] = viewer;
            viewer.loop.register(viewer);
        }
        // wait for the last handshakes
        while (connected.get() + failed.get() < started() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return connected.get();
    }

    private int started() {
        int n = 0;
        for (Viewer viewer : viewers) {
            if (viewer != null) {
                n++;
            }
        }
        return n;
    }

    int failed() {
        return failed.get();
    }

    void recording(boolean on) {
        recording = on;
    }

    long messages() {
        return messages.get();
    }

    long backwards() {
        return backwards.get();
    }

    long closesReceived() {
        return closesReceived.get();
    }

    /** Viewers (connected ones) whose last version is at least {@code version}. */
    int atLeast(long version) {
        int n = 0;
        for (Viewer viewer : viewers) {
            if (viewer != null && viewer.upgraded && viewer.lastVersion >= version) {
                n++;
            }
        }
        return n;
    }

    /** Smallest last version over the connected viewers (-1 if one has none yet). */
    long minVersion() {
        long min = Long.MAX_VALUE;
        for (Viewer viewer : viewers) {
            if (viewer != null && viewer.upgraded) {
                min = Math.min(min, viewer.lastVersion);
            }
        }
        return min == Long.MAX_VALUE ? -1 : min;
    }

    /** Which viewers completed the upgrade, by index. */
    boolean[] upgraded() {
        boolean[] upgraded = new boolean[viewers.length];
        for (int i = 0; i < viewers.length; i++) {
            upgraded[i] = viewers[i] != null && viewers[i].upgraded;
        }
        return upgraded;
    }

    /** Every receipt recorded, by thread: for each, {@code long[]{packed viewer/version..., nanos...}}. */
    Receipts[] receipts() {
        Receipts[] all = new Receipts[loops.length];
        for (int i = 0; i < loops.length; i++) {
            all[i] = loops[i].receipts;
        }
        return all;
    }

    @Override
    public void close() {
        for (Loop loop : loops) {
            loop.stop();
        }
    }

    /** Receipts of one selector thread: {@code viewer << 40 | version} and the receipt time. */
    static final class Receipts {
        long[] keys = new long[1 << 16];
        long[] nanos = new long[1 << 16];
        int size;
        boolean truncated;

        void add(int viewer, long version, long at) {
            if (size == keys.length) {
                if (size >= MAX_RECEIPTS_PER_THREAD) {
                    truncated = true;
                    return;
                }
                keys = Arrays.copyOf(keys, size * 2);
                nanos = Arrays.copyOf(nanos, size * 2);
            }
            keys[size] = ((long) viewer << 40) | version;
            nanos[size] = at;
            size++;
        }

        static int viewer(long key) {
            return (int) (key >>> 40);
        }

        static long version(long key) {
            return key & ((1L << 40) - 1);
        }
    }

    private final class Viewer {
        final int index;
        final Loop loop;
        SocketChannel channel;
        ByteBuffer in = ByteBuffer.allocate(4096);
        boolean upgraded;
        volatile long lastVersion = -1;
        /** Payload of a fragmented text message, or null. */
        byte[] fragments;

        Viewer(int index, Loop loop) {
            this.index = index;
            this.loop = loop;
        }
    }

    private final class Loop implements Runnable {
        final Thread thread;
        final Selector selector;
        final Queue<Viewer> pending = new ConcurrentLinkedQueue<>();
        final Receipts receipts = new Receipts();
        volatile boolean running = true;

        Loop(int number) throws IOException {
            this.selector = Selector.open();
            this.thread = new Thread(this, "ws-viewers-" + number);
            thread.setDaemon(true);
        }

        void register(Viewer viewer) {
            pending.add(viewer);
            selector.wakeup();
        }

        void stop() {
            running = false;
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (running) {
                    selector.select();
                    for (Viewer viewer = pending.poll(); viewer != null; viewer = pending.poll()) {
                        open(viewer);
                    }
                    long now = System.nanoTime();
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        Viewer viewer = (Viewer) key.attachment();
                        try {
                            if (key.isConnectable()) {
                                viewer.channel.finishConnect();
                                write(viewer.channel, ByteBuffer.wrap(upgradeRequest));
                                key.interestOps(SelectionKey.OP_READ);
                            } else if (key.isReadable()) {
                                read(viewer, key, now);
                            }
                        } catch (IOException | RuntimeException e) {
                            drop(viewer, key);
                        }
                    }
                }
                selector.keys().forEach(k -> {
                    try {
                        k.channel().close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                });
                selector.close();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private void open(Viewer viewer) {
            try {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                viewer.channel = channel;
                if (channel.connect(address)) {
                    write(channel, ByteBuffer.wrap(upgradeRequest));
                    channel.register(selector, SelectionKey.OP_READ, viewer);
                } else {
                    channel.register(selector, SelectionKey.OP_CONNECT, viewer);
                }
            } catch (IOException e) {
                failed.incrementAndGet();
                handshakes.release();
            }
        }

        private void drop(Viewer viewer, SelectionKey key) {
            key.cancel();
            try {
                viewer.channel.close();
            } catch (IOException ignored) {
                // gone anyway
            }
            if (!viewer.upgraded) {
                failed.incrementAndGet();
                handshakes.release();
            }
        }

        private void read(Viewer viewer, SelectionKey key, long now) throws IOException {
            ByteBuffer in = viewer.in;
            int n = viewer.channel.read(in);
            if (n < 0) {
                drop(viewer, key);
                return;
            }
            in.flip();
            if (!viewer.upgraded && !handshake(viewer, in)) {
                in.compact();
                return;
            }
            frames(viewer, key, in, now);
            if (!key.isValid()) {
                return;
            }
            if (in.position() == 0 && in.limit() == in.capacity()) {
                // one frame larger than the buffer: grow it
                ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
                bigger.put(in);
                viewer.in = bigger;
            } else {
                in.compact();
            }
        }

        /** Consumes the 101 response; returns false while it is incomplete. */
        private boolean handshake(Viewer viewer, ByteBuffer in) throws IOException {
            int end = -1;
            for (int i = in.position(); i + 3 < in.limit(); i++) {
                if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
                    end = i + 4;
                    break;
                }
            }
            if (end < 0) {
                return false;
            }
            String status = new String(in.array(), in.position(), 12, StandardCharsets.US_ASCII);
            if (!status.startsWith("HTTP/1.1 101")) {
                throw new IOException("upgrade refused: " + status);
            }
            in.position(end);
            viewer.upgraded = true;
            connected.incrementAndGet();
            handshakes.release();
            return true;
        }

        /** Handles every complete frame in {@code in}, leaving a partial one in place. */
        private void frames(Viewer viewer, SelectionKey key, ByteBuffer in, long now) throws IOException {
            while (in.remaining() >= 2) {
                int start = in.position();
                int b0 = in.get(start) & 0xFF;
                int b1 = in.get(start + 1) & 0xFF;
                int header = 2;
                long length = b1 & 0x7F;
                if (length == 126) {
                    if (in.remaining() < 4) {
                        return;
                    }
                    length = in.getShort(start + 2) & 0xFFFF;
                    header = 4;
                } else if (length == 127) {
                    if (in.remaining() < 10) {
                        return;
                    }
                    length = in.getLong(start + 2);
                    header = 10;
                }
                if (in.remaining() < header + length) {
                    return;
                }
                int payload = start + header;
                int size = (int) length;
                in.position(payload + size);
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0F;
                switch (opcode) {
                    case 0x1, 0x0 -> text(viewer, in, payload, size, fin, now);
                    case 0x9 -> control(viewer, 0xA, in, payload, size);
                    case 0x8 -> {
                        closesReceived.incrementAndGet();
                        control(viewer, 0x8, in, payload, Math.min(size, 2));
                        key.cancel();
                        viewer.channel.close();
                        return;
                    }
                    default -> {
                        // pong or unknown: nothing to do
                    }
                }
            }
        }

        private void text(Viewer viewer, ByteBuffer in, int payload, int size, boolean fin, long now) {
            if (!fin || viewer.fragments != null) {
                byte[] sofar = viewer.fragments == null ? new byte[0] : viewer.fragments;
                byte[] joined = Arrays.copyOf(sofar, sofar.length + size);
                System.arraycopy(in.array(), payload, joined, sofar.length, size);
                viewer.fragments = joined;
                if (!fin) {
                    return;
                }
                viewer.fragments = null;
                received(viewer, version(joined, 0, joined.length), now);
                return;
            }
            received(viewer, version(in.array(), payload, size), now);
        }

        private void received(Viewer viewer, long version, long now) {
            if (version < viewer.lastVersion) {
                backwards.incrementAndGet();
            }
            viewer.lastVersion = version;
            messages.incrementAndGet();
            if (recording) {
                receipts.add(viewer.index, version, now);
            }
        }

        /** Writes a masked control frame carrying the given payload (RFC 6455 5.3: clients mask every frame). */
        private void control(Viewer viewer, int opcode, ByteBuffer in, int payload, int size) throws IOException {
            ByteBuffer frame = ByteBuffer.allocate(6 + size);
            frame.put((byte) (0x80 | opcode)).put((byte) (0x80 | size));
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            frame.put(mask);
            for (int i = 0; i < size; i++) {
                frame.put((byte) (in.get(payload + i) ^ mask[i & 3]));
            }
            frame.flip();
            write(viewer.channel, frame);
        }
    }

    /** Writes all of a small buffer; the socket has room for a handshake or a control frame. */
    private static void write(SocketChannel channel, ByteBuffer buffer) throws IOException {
        for (int spins = 0; buffer.hasRemaining(); spins++) {
            if (channel.write(buffer) == 0 && spins > 1000) {
                throw new IOException("socket does not take a small write");
            }
        }
    }

    /** The top-level {@code version} of a results message: the first {@code "version":} in it. */
    static long version(byte[] bytes, int from, int size) {
        int end = from + size - VERSION_FIELD.length;
        outer:
        for (int i = from; i <= end; i++) {
            for (int j = 0; j < VERSION_FIELD.length; j++) {
                if (bytes[i + j] != VERSION_FIELD[j]) {
                    continue outer;
                }
            }
            long value = 0;
            int at = i + VERSION_FIELD.length;
            while (at < from + size && bytes[at] == ' ') {
                at++;
            }
            while (at < from + size && bytes[at] >= '0' && bytes[at] <= '9') {
                value = value * 10 + (bytes[at++] - '0');
            }
            return value;
        }
        return -1;
    }
}
