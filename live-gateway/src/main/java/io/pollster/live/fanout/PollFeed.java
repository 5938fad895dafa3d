package io.pollster.live.fanout;

import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.ResultsVisibility;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The viewers of one poll on this node and the newest results seen for it. Viewers are split into
 * stripes, each fanned out by one task at a time on the fan-out executor; a stripe still busy with an
 * older frame picks up only the newest one when it is done (coalescing at the poll level too), and
 * a stripe starts a round at most once per {@code minFrameInterval}: a viral poll's fan-out costs
 * viewers × rounds a second, whatever the vote rate. A frame arriving mid-round is handed to the
 * viewers that round has not reached yet, so with long rounds a change reaches every viewer within
 * about one round.
 */
final class PollFeed {

    private final PollDefinition poll;
    private final Stripe[] stripes;
    private final AtomicInteger nextStripe = new AtomicInteger();
    private final AtomicInteger viewerCount = new AtomicInteger();
    private final AtomicReference<ResultsFrame> current = new AtomicReference<>();
    /** The version the hidden viewers were last checked at (-1: never); the visibility refresh's own. */
    private long checkedVersion = -1;

    /**
     * The poll's viewers over every gateway as last read from Redis, and a generation that grows with each
     * new figure. Until the first read, 1: the viewer the feed was made for.
     */
    private volatile ViewerFigure viewers = new ViewerFigure(1, 0);

    PollFeed(
            PollDefinition poll,
            int stripeCount,
            Executor fanout,
            ScheduledExecutorService timer,
            Duration minFrameInterval,
            FanoutMetrics metrics) {
        this.poll = poll;
        this.stripes = new Stripe[stripeCount];
        for (int i = 0; i < stripeCount; i++) {
            stripes[i] = new Stripe(fanout, timer, minFrameInterval.toNanos(), metrics);
        }
    }

    PollDefinition poll() {
        return poll;
    }

    /** The newest results this node has for the poll, or null before the first snapshot or message. */
    ResultsFrame current() {
        return current.get();
    }

    void add(Viewer viewer) {
        stripes[Math.floorMod(nextStripe.getAndIncrement(), stripes.length)].viewers.add(viewer);
        viewerCount.incrementAndGet();
    }

    /** Removes the viewer; returns whether the feed has no viewer left. */
    boolean remove(Viewer viewer) {
        for (Stripe stripe : stripes) {
            if (stripe.viewers.remove(viewer)) {
                return viewerCount.decrementAndGet() == 0;
            }
        }
        return viewerCount.get() == 0;
    }

    int viewerCount() {
        return viewerCount.get();
    }

    void forEachViewer(Consumer<Viewer> action) {
        for (Stripe stripe : stripes) {
            stripe.viewers.forEach(action);
        }
    }

    /**
     * Sends {@code frame}, with the poll's current {@code "viewers"} figure, to every viewer unless a newer
     * one was already seen.
     */
    void publish(ResultsFrame frame) {
        ResultsFrame stamped = stamp(frame);
        ResultsFrame merged = current.accumulateAndGet(stamped, ResultsFrame::newer);
        if (merged != stamped) {
            return;
        }
        for (Stripe stripe : stripes) {
            stripe.publish(stamped);
        }
    }

    /** {@code frame} carrying the poll's current {@code "viewers"} figure: what a new viewer is sent. */
    ResultsFrame stamp(ResultsFrame frame) {
        ViewerFigure figure = viewers;
        return frame.withViewers(figure.total(), figure.generation(), countsMayBeHidden());
    }

    /**
     * Whether some viewers of the poll may not see its counts: messages then get a hidden shape too, and
     * which one a viewer gets is its own ({@link Viewer#seesCounts()}, decided by core's ResultsAccess).
     */
    boolean countsMayBeHidden() {
        return poll.resultsVisibility() != ResultsVisibility.ALWAYS;
    }

    /**
     * The poll's viewers over every gateway, freshly read: a changed figure is a new generation, and the
     * current message goes out again carrying it (same version, same counts). Also re-sends a current
     * message stamped with an older generation, which a message published during the last change may be.
     * Called by one thread at a time (the broadcaster's viewer-count refresh).
     */
    void viewers(long total) {
        ViewerFigure figure = viewers;
        if (figure.total() != total) {
            figure = new ViewerFigure(total, figure.generation() + 1);
            viewers = figure;
        }
        ResultsFrame shown = current.get();
        if (shown != null && shown.viewersGeneration() != figure.generation()) {
            publish(shown);
        }
    }

    /** The {@code "viewers"} figure messages carry now. */
    long viewersShown() {
        return viewers.total();
    }

    /**
     * Whether the hidden viewers are due for a check against {@code current}: every round for an {@code
     * after_close} poll (no I/O: it only waits for {@code closes_at}), for an {@code after_vote} poll only
     * when the version moved since the last check. Called by one thread (the visibility refresh).
     */
    boolean recheckDue(ResultsFrame current) {
        if (poll.resultsVisibility() != ResultsVisibility.AFTER_VOTE) {
            return true;
        }
        if (current.version() == checkedVersion) {
            return false;
        }
        checkedVersion = current.version();
        return true;
    }

    private record ViewerFigure(long total, long generation) {}

    private static final class Stripe implements Runnable {

        private final Set<Viewer> viewers = ConcurrentHashMap.newKeySet();
        private final AtomicReference<ResultsFrame> next = new AtomicReference<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private final Executor fanout;
        private final ScheduledExecutorService timer;
        private final long minIntervalNanos;
        private final FanoutMetrics metrics;
        /** Start of the last round; only the one task running this stripe writes it. */
        private volatile long lastRoundNanos;

        Stripe(Executor fanout, ScheduledExecutorService timer, long minIntervalNanos, FanoutMetrics metrics) {
            this.fanout = fanout;
            this.timer = timer;
            this.minIntervalNanos = minIntervalNanos;
            this.metrics = metrics;
            this.lastRoundNanos = System.nanoTime() - minIntervalNanos;
        }

        /** Runs the next round now, or when the interval since the last one has passed. */
        private void schedule() {
            long wait = lastRoundNanos + minIntervalNanos - System.nanoTime();
            if (wait <= 0) {
                fanout.execute(this);
            } else {
                timer.schedule(() -> fanout.execute(this), wait, TimeUnit.NANOSECONDS);
            }
        }

        void publish(ResultsFrame frame) {
            ResultsFrame replaced = next.getAndAccumulate(frame, ResultsFrame::newer);
            if (replaced != null) {
                // a whole stripe skips a frame it never started: count it once per viewer it skipped
                metrics.coalesced(viewers.size());
            }
            if (scheduled.compareAndSet(false, true)) {
                schedule();
            }
        }

        @Override
        public void run() {
            ResultsFrame frame = next.getAndSet(null);
            if (frame != null) {
                lastRoundNanos = System.nanoTime();
                ResultsFrame first = frame;
                for (Viewer viewer : viewers) {
                    // a frame that arrives during the round goes to the viewers not reached yet, so a
                    // change waits about one round, not the rest of this one plus the next; it stays in
                    // next, and the next round brings it to the viewers already passed
                    ResultsFrame newest = next.get();
                    if (newest != null && newest.supersedes(frame)) {
                        frame = newest;
                    }
                    viewer.offer(frame);
                }
                metrics.fannedOut(first);
            }
            scheduled.set(false);
            // a frame published during the round, or between the getAndSet and the flag reset
            if (next.get() != null && scheduled.compareAndSet(false, true)) {
                schedule();
            }
        }
    }
}
