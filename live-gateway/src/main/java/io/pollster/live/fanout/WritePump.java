package io.pollster.live.fanout;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The non-blocking writes of one viewer connection, WebSocket or SSE, on a container's
 * {@link ServletOutputStream}: a write goes out only when the container says the socket can take it, and
 * no thread ever waits on the peer. Writes go out in order, one at a time, from three slots of at most one
 * write each, so what a connection holds is bounded whatever its peer does:
 *
 * <ul>
 *   <li>{@link #sendControl control}: a newer write replaces one not yet started (a WebSocket pong
 *       answers the latest ping only: a client that pings and never reads cannot queue up pongs);
 *   <li>{@link #send data}: one results frame or keep-alive at a time ({@link Viewer} never has two in
 *       flight);
 *   <li>{@link #sendLast last}: the final write (a close frame); nothing is accepted after it.
 * </ul>
 *
 * Every write, control frames included, counts as in flight until the socket took it all:
 * {@link #stalledSinceNanos()} tells since when the connection has had something to write and made no
 * progress, which is what the send timeout judges. The owner registers the pump as the stream's
 * {@link WriteListener}. Completions (and failures) are reported outside the pump's lock.
 *
 * @param <K> what the owner calls its writes, handed back on completion
 */
public final class WritePump<K> implements WriteListener {

    /**
     * Told when a write the pump accepted is complete, or failed ({@code failure} not null). A control write
     * replaced by a newer one before it started is never reported: nothing waits for it.
     */
    @FunctionalInterface
    public interface Completion<K> {
        void completed(K kind, Throwable failure);
    }

    private record Write<K>(K kind, byte[] bytes) {}

    private final ServletOutputStream out;
    private final Completion<K> completion;

    // guarded by this
    /** Written but not yet flushed to the socket; completes in {@link #onWritePossible}. */
    private Write<K> draining;

    private Write<K> control;
    private Write<K> data;
    private Write<K> last;
    private boolean lastAccepted;
    private boolean terminated;
    /** The last answer of {@code out.isReady()}, valid until our next write or flush. */
    private boolean ready;

    /** When the pump last went from idle to busy or last completed a write while busy; 0 when idle. */
    private volatile long stalledSinceNanos;

    public WritePump(ServletOutputStream out, Completion<K> completion) {
        this.out = out;
        this.completion = completion;
    }

    /** Writes {@code bytes} after what is queued; one data write at a time. */
    public void send(K kind, byte[] bytes) {
        accept(new Write<>(kind, bytes), Slot.DATA);
    }

    /** Writes {@code bytes} before any data not yet started, replacing a control write not yet started. */
    public void sendControl(K kind, byte[] bytes) {
        accept(new Write<>(kind, bytes), Slot.CONTROL);
    }

    /** Writes {@code bytes} after everything queued; returns false if a last write was already accepted. */
    public boolean sendLast(K kind, byte[] bytes) {
        return accept(new Write<>(kind, bytes), Slot.LAST);
    }

    /**
     * Since when ({@link System#nanoTime()}) this connection has had writes pending without completing any,
     * or 0 if nothing is pending.
     */
    public long stalledSinceNanos() {
        return stalledSinceNanos;
    }

    /** Drops everything pending, without completions; later writes fail. */
    public synchronized void terminate() {
        terminated = true;
        clear();
    }

    private enum Slot {
        CONTROL,
        DATA,
        LAST
    }

    private boolean accept(Write<K> write, Slot slot) {
        List<Write<K>> done;
        List<Write<K>> failed = List.of();
        Throwable failure = null;
        synchronized (this) {
            if (terminated || lastAccepted) {
                if (slot == Slot.LAST) {
                    return false;
                }
                done = List.of();
                failed = List.of(write);
                failure = new IOException("connection closing");
            } else {
                switch (slot) {
                    case CONTROL -> control = write;
                    case DATA -> {
                        if (data != null) {
                            throw new IllegalStateException("a data write is already queued");
                        }
                        data = write;
                    }
                    case LAST -> {
                        last = write;
                        lastAccepted = true;
                    }
                }
                if (stalledSinceNanos == 0) {
                    stalledSinceNanos = System.nanoTime();
                }
                done = new ArrayList<>(2);
                failure = pump(done);
                if (failure != null) {
                    failed = failedWrites();
                }
            }
        }
        report(done, failed, failure);
        return true;
    }

    @Override
    public void onWritePossible() {
        List<Write<K>> done = new ArrayList<>(2);
        List<Write<K>> failed = List.of();
        Throwable failure;
        synchronized (this) {
            if (terminated) {
                return;
            }
            failure = pump(done);
            if (failure != null) {
                failed = failedWrites();
            }
        }
        report(done, failed, failure);
    }

    @Override
    public void onError(Throwable failure) {
        List<Write<K>> failed;
        synchronized (this) {
            if (terminated) {
                return;
            }
            terminated = true;
            failed = failedWrites();
        }
        report(List.of(), failed, failure);
    }

    /**
     * Writes while the socket takes them, adding the writes now complete to {@code done}; returns the
     * failure if the peer is gone. A write the container could not flush at once stays {@link #draining}.
     */
    private Throwable pump(List<Write<K>> done) {
        try {
            if (draining != null) {
                if (!isReady()) {
                    return null;
                }
                out.flush();
                ready = false;
                if (!isReady()) {
                    return null;
                }
                done.add(draining);
                draining = null;
                progress();
            }
            Write<K> next;
            while ((next = next()) != null && isReady()) {
                take(next);
                // draining from here: a write that fails is among the failed ones
                draining = next;
                out.write(next.bytes());
                ready = false;
                // the container buffers what it cannot send at once; flush only while it takes more
                if (isReady()) {
                    out.flush();
                    ready = false;
                }
                if (!isReady()) {
                    return null;
                }
                draining = null;
                done.add(next);
                progress();
            }
            return null;
        } catch (IOException | RuntimeException e) {
            terminated = true;
            return e;
        }
    }

    private Write<K> next() {
        return control != null ? control : data != null ? data : last;
    }

    private void take(Write<K> write) {
        if (write == control) {
            control = null;
        } else if (write == data) {
            data = null;
        } else {
            last = null;
        }
    }

    /** A write completed: the connection is moving, or idle if nothing else waits. */
    private void progress() {
        stalledSinceNanos = draining == null && next() == null ? 0 : System.nanoTime();
    }

    /**
     * {@link ServletOutputStream#isReady()}, asked again only after it said no or after our own writes:
     * nothing else changes the answer, and each call costs a lock in the container.
     */
    private boolean isReady() {
        if (!ready) {
            ready = out.isReady();
        }
        return ready;
    }

    /** Holding the lock: every pending write, now failed, and nothing left pending. */
    private List<Write<K>> failedWrites() {
        List<Write<K>> failed = new ArrayList<>(4);
        addIfPresent(failed, draining);
        addIfPresent(failed, control);
        addIfPresent(failed, data);
        addIfPresent(failed, last);
        clear();
        return failed;
    }

    private static <K> void addIfPresent(List<Write<K>> writes, Write<K> write) {
        if (write != null) {
            writes.add(write);
        }
    }

    private void clear() {
        draining = null;
        control = null;
        data = null;
        last = null;
        stalledSinceNanos = 0;
    }

    private void report(List<Write<K>> done, List<Write<K>> failed, Throwable failure) {
        for (Write<K> write : done) {
            completion.completed(write.kind(), null);
        }
        for (Write<K> write : failed) {
            completion.completed(write.kind(), failure);
        }
    }
}
