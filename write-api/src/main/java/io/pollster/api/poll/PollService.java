package io.pollster.api.poll;

import io.pollster.api.problem.ProblemException;
import io.pollster.core.json.ProblemType;
import io.pollster.core.poll.PollCatalog;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.ResultsVisibility;
import io.pollster.core.poll.Voters;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Creating and closing polls; reads go through {@link PollCatalog}. */
@Service
class PollService {

    /** Collisions of a 4-character suffix are rare, and each retry makes the suffix longer. */
    private static final int SLUG_ATTEMPTS = 5;

    private final JdbcAggregateTemplate aggregates;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final PollCatalog catalog;
    private final Clock clock;
    private final PollSlugs slugs;

    PollService(
            JdbcAggregateTemplate aggregates,
            JdbcClient jdbc,
            TransactionTemplate transactions,
            PollCatalog catalog,
            PollSlugs slugs,
            Clock clock) {
        this.aggregates = aggregates;
        this.slugs = slugs;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.catalog = catalog;
        this.clock = clock;
    }

    PollDefinition create(UUID creatorId, CreatePollRequest request) {
        // PostgreSQL keeps microseconds: truncating here makes the answer equal to every later read
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        CreatePollValidation.check(request, now);
        Poll poll = newPoll(creatorId, request, now);
        for (int attempt = 0; ; attempt++) {
            Poll candidate = poll.withSlug(slugs.of(request.title(), attempt));
            try {
                transactions.executeWithoutResult(tx -> insert(candidate));
                PollDefinition created = definition(candidate);
                catalog.remember(created);
                return created;
            } catch (RuntimeException failure) {
                // the transaction rolled back as a whole; only a slug collision is worth another try
                if (!isDuplicateKey(failure) || attempt + 1 >= SLUG_ATTEMPTS) {
                    throw failure;
                }
            }
        }
    }

    /**
     * Closes the poll if the user created it; closing a closed poll keeps its first {@code closed_at}. The
     * single UPDATE decides, so two concurrent closes agree on one time.
     */
    PollDefinition close(UUID userId, String idOrSlug) {
        PollDefinition poll = find(idOrSlug);
        if (!poll.creatorId().equals(userId)) {
            throw new ProblemException(ProblemType.NOT_POLL_OWNER, "Only the poll's creator can close it");
        }
        OffsetDateTime closedAt = jdbc.sql(
                        "UPDATE polls SET closed_at = COALESCE(closed_at, ?) WHERE poll_id = ? RETURNING closed_at")
                .params(clock.instant().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC), poll.pollId())
                .query(OffsetDateTime.class)
                .single();
        PollDefinition closed = poll.closed(closedAt.toInstant());
        catalog.closed(closed);
        return closed;
    }

    PollDefinition find(String idOrSlug) {
        return catalog.find(idOrSlug)
                .orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, "No poll " + idOrSlug));
    }

    private void insert(Poll poll) {
        aggregates.insert(poll);
        // every counter starts with its row at 0, so the read path and the projection find each one
        jdbc.sql("INSERT INTO poll_voter_counts (poll_id, voters) VALUES (?, 0)")
                .param(poll.pollId())
                .update();
        for (Poll.Question question : poll.questions()) {
            jdbc.sql("INSERT INTO question_voter_counts (question_id, poll_id, voters) VALUES (?, ?, 0)")
                    .params(question.questionId(), poll.pollId())
                    .update();
            for (Poll.Choice choice : question.choices()) {
                jdbc.sql("INSERT INTO choice_counts (choice_id, poll_id, question_id, count) VALUES (?, ?, ?, 0)")
                        .params(choice.choiceId(), poll.pollId(), question.questionId())
                        .update();
            }
        }
    }

    private static Poll newPoll(UUID creatorId, CreatePollRequest request, Instant now) {
        List<Poll.Question> questions = new ArrayList<>(request.questions().size());
        for (CreatePollRequest.QuestionRequest question : request.questions()) {
            List<Poll.Choice> choices = question.choices().stream()
                    .map(text -> new Poll.Choice(UUID.randomUUID(), text))
                    .toList();
            questions.add(new Poll.Question(
                    UUID.randomUUID(),
                    question.text(),
                    question.minChoicesOrDefault(),
                    question.maxChoicesOrDefault(),
                    choices));
        }
        Instant closesAt =
                request.closesAt() == null ? null : request.closesAt().truncatedTo(ChronoUnit.MICROS);
        return new Poll(
                UUID.randomUUID(),
                creatorId,
                request.title(),
                request.description(),
                now,
                closesAt,
                null,
                null,
                voters(request).value(),
                resultsVisibility(request).value(),
                questions);
    }

    private static Voters voters(CreatePollRequest request) {
        // validated: an absent setting is the default, a present one a known value
        return request.voters() == null
                ? Voters.USER
                : Voters.of(request.voters()).orElseThrow();
    }

    private static ResultsVisibility resultsVisibility(CreatePollRequest request) {
        return request.resultsVisibility() == null
                ? ResultsVisibility.ALWAYS
                : ResultsVisibility.of(request.resultsVisibility()).orElseThrow();
    }

    private static PollDefinition definition(Poll poll) {
        List<PollDefinition.Question> questions =
                new ArrayList<>(poll.questions().size());
        for (int order = 0; order < poll.questions().size(); order++) {
            Poll.Question question = poll.questions().get(order);
            questions.add(new PollDefinition.Question(
                    question.questionId(),
                    question.text(),
                    order,
                    question.minChoices(),
                    question.maxChoices(),
                    question.choices().stream()
                            .map(choice -> new PollDefinition.Choice(choice.choiceId(), choice.text()))
                            .toList()));
        }
        return new PollDefinition(
                poll.pollId(),
                poll.slug(),
                poll.creatorId(),
                poll.title(),
                poll.description(),
                poll.createdAt(),
                poll.closesAt(),
                poll.closedAt(),
                Voters.of(poll.voters()).orElseThrow(),
                ResultsVisibility.of(poll.resultsVisibility()).orElseThrow(),
                questions);
    }

    private static boolean isDuplicateKey(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof DuplicateKeyException) {
                return true;
            }
        }
        return false;
    }
}
