/**
 * The one consumer loop for Pollster's Redis streams ({@link io.pollster.core.stream.StreamConsumer}),
 * with its failure policy ({@link io.pollster.core.stream.StreamFailures}): used by the vote ingester and
 * by every jobs worker.
 */
package io.pollster.core.stream;
