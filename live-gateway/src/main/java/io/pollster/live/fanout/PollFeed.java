package io.pollster.live.fanout;

import io.pollster.core.poll.PollDefinition;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The viewers of one poll on this node and the newest results seen for it. Viewers are split into
 * stripes, each fanned out by one task at a time on the fan-out executor; a stripe still busy with an
 * older frame picks up only the newest one when it is done (coalescing at the poll level too).
 */
final class PollFeed {

    private final PollDefinition poll;
    private final Stripe[] stripes;
    private final AtomicInteger nextStripe = new AtomicInteger();
    private final AtomicInteger viewerCount = new AtomicInteger();
    private final AtomicReference<ResultsFrame> current = new AtomicReference<>();

    PollFeed(PollDefinition poll, int stripeCount, Executor fanout, FanoutMetrics metrics) {
        this.poll = poll;
        this.stripes = new Stripe[stripeCount];
        for (int i = 0; i < stripeCount; i++) {
            stripes[i] = new Stripe(fanout, metrics);
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

    /** Sends {@code frame} to every viewer unless a newer one was already seen. */
    void publish(ResultsFrame frame) {
        ResultsFrame merged = current.accumulateAndGet(frame, ResultsFrame::newer);
        if (merged != frame) {
            return;
        }
        for (Stripe stripe : stripes) {
            stripe.publish(frame);
        }
    }

    private static final class Stripe implements Runnable {

        private final Set<Viewer> viewers = ConcurrentHashMap.newKeySet();
        private final AtomicReference<ResultsFrame> next = new AtomicReference<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private final Executor fanout;
        private final FanoutMetrics metrics;

        Stripe(Executor fanout, FanoutMetrics metrics) {
            this.fanout = fanout;
            this.metrics = metrics;
        }

        void publish(ResultsFrame frame) {
            ResultsFrame replaced = next.getAndAccumulate(frame, ResultsFrame::newer);
            if (replaced != null) {
                // a whole stripe skips a frame it never started: count it once per viewer it skipped
                metrics.coalesced(viewers.size());
            }
            if (scheduled.compareAndSet(false, true)) {
                fanout.execute(this);
            }
        }

        @Override
        public void run() {
            ResultsFrame frame;
            while ((frame = next.getAndSet(null)) != null) {
                for (Viewer viewer : viewers) {
                    viewer.offer(frame);
                }
                metrics.fannedOut(frame);
            }
            scheduled.set(false);
            // a frame published between the last getAndSet and the flag reset would otherwise wait
            if (next.get() != null && scheduled.compareAndSet(false, true)) {
                fanout.execute(this);
            }
        }
    }
}
