package io.pollster.api.poll;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Column;
import org.springframework.data.relational.core.mapping.MappedCollection;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A poll with its questions and choices: one Spring Data JDBC aggregate, inserted in one transaction and
 * never updated through this type (only {@code closed_at} changes, by {@link PollService#close}). The list
 * positions are the {@code "order"} of questions and the {@code position} of choices.
 */
@Table("polls")
record Poll(
        @Id UUID pollId,
        UUID creatorId,
        String title,
        String description,
        Instant createdAt,
        Instant closesAt,
        Instant closedAt,
        @Column("unique_slug") String slug,
        /** {@link io.pollster.core.poll.Voters#value()}, as the column's CHECK has it. */
        String voters,
        /** {@link io.pollster.core.poll.ResultsVisibility#value()}. */
        String resultsVisibility,
        @MappedCollection(idColumn = "poll_id", keyColumn = "order") List<Question> questions) {

    @Table("questions")
    record Question(
            @Id UUID questionId,
            @Column("question_text") String text,
            int minChoices,
            int maxChoices,
            @MappedCollection(idColumn = "question_id", keyColumn = "position") List<Choice> choices) {}

    @Table("choices")
    record Choice(@Id UUID choiceId, @Column("choice_text") String text) {}

    Poll withSlug(String newSlug) {
        return new Poll(
                pollId,
                creatorId,
                title,
                description,
                createdAt,
                closesAt,
                closedAt,
                newSlug,
                voters,
                resultsVisibility,
                questions);
    }
}
