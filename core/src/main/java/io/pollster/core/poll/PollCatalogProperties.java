package io.pollster.core.poll;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Caching of poll definitions ({@code pollster.poll-catalog.*}), see {@link PollCatalog}.
 *
 * @param openPollTtl how long this process trusts its in-process copy of an open poll. Another instance
 *     closing the poll becomes visible here at most this late; keep it short.
 * @param closedPollTtl how long this process keeps a closed poll in memory: a closed poll never changes
 *     again, so this only bounds memory.
 * @param redisTtl how long the shared Redis copy of a poll lives before it is read again from PostgreSQL.
 * @param maxLocalPolls how many polls one process keeps in memory at most.
 * @param negativeTtl how long this process remembers that no poll has an id or slug: a flood of lookups of
 *     unknown polls costs one PostgreSQL query per id or slug per this interval, and a poll created on
 *     another instance after such a miss is found here at most this late. {@code 0} turns it off.
 * @param maxNegativeEntries how many unknown ids and slugs one process remembers at most.
 */
@ConfigurationProperties("pollster.poll-catalog")
@Validated
public record PollCatalogProperties(
        @DefaultValue("1s") Duration openPollTtl,
        @DefaultValue("1h") Duration closedPollTtl,
        @DefaultValue("24h") Duration redisTtl,
        @DefaultValue("10000") @Min(1) long maxLocalPolls,
        @DefaultValue("5s") Duration negativeTtl,
        @DefaultValue("100000") @Min(1) long maxNegativeEntries) {}
