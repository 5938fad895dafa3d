package io.pollster.api.vote;

import io.pollster.api.problem.InvalidField;
import io.pollster.api.problem.ProblemException;
import io.pollster.core.identity.CurrentUser;
import io.pollster.core.identity.IdentityProperties;
import io.pollster.core.identity.UnauthenticatedException;
import io.pollster.core.identity.VoterIds;
import io.pollster.core.json.ProblemType;
import io.pollster.core.poll.PollCatalog;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.PollDefinitions;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.HandlerMapping;

/**
 * {@code POST /api/polls/{poll_id}/votes} and the vote status (docs/api.md "Votes"). A vote is checked
 * against the cached poll, then the Lua script checks duplicates and enqueues it atomically; nothing
 * touches PostgreSQL on this path. The voter is the user, or in an anonymous poll the id {@link
 * VoterIds} derives from the device id or the client address: the same check and the same PostgreSQL
 * constraint tell duplicates apart either way.
 */
@RestController
@RequestMapping("/api/polls/{pollId}/votes")
class VoteController {

    static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
    private static final int MAX_IDEMPOTENCY_KEY_LENGTH = 200;
    /**
     * More answers than any poll has choices (20 questions of 20) cannot be valid; refuse before any
     * lookup.
     */
    private static final int MAX_ANSWERS = 400;

    private final PollCatalog polls;
    private final VoteEnqueuer enqueuer;
    private final VoteStatusReader statuses;
    private final VoteMetrics metrics;
    private final Clock clock;
    private final VoterIds voterIds;
    private final IdentityProperties.Mode identityMode;
    private final boolean storeIpAddress;
    private final VoteBodyReader body;

    VoteController(
            PollCatalog polls,
            VoteEnqueuer enqueuer,
            VoteStatusReader statuses,
            VoteMetrics metrics,
            Clock clock,
            VoterIds voterIds,
            IdentityProperties identity,
            VotesProperties votes,
            VoteBodyReader body) {
        this.polls = polls;
        this.enqueuer = enqueuer;
        this.statuses = statuses;
        this.metrics = metrics;
        this.clock = clock;
        this.voterIds = voterIds;
        this.identityMode = identity.mode();
        this.storeIpAddress = votes.storeIpAddress();
        this.body = body;
    }

    /**
     * Takes only the servlet request and response (and the user, which core's resolver reads from the
     * security context): no {@code @RequestBody}, {@code @PathVariable} or {@code @RequestHeader}, whose
     * resolution builds a data binder per argument and negotiates converters, and no return value to
     * negotiate; the 202 is written as prebuilt bytes. That machinery was about a third of the endpoint's CPU
     * (docs/votes.md "The HTTP path"). The annotations describe the same operation for the OpenAPI document.
     */
    @PostMapping
    @Parameter(name = "pollId", in = ParameterIn.PATH, required = true, schema = @Schema(type = "string"))
    @Parameter(
            name = VoterIds.DEVICE_HEADER,
            in = ParameterIn.HEADER,
            description = "The device's id (a UUID the client keeps), for polls counting one vote per device",
            schema = @Schema(type = "string"))
    @Parameter(
            name = IDEMPOTENCY_HEADER,
            in = ParameterIn.HEADER,
            description = "A retry with the same key and body answers as the first request did",
            schema = @Schema(type = "string"))
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = VoteRequest.class)))
    @ApiResponse(
            responseCode = "202",
            description = "Accepted; counted within moments",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = VoteAccepted.class)))
    @ApiResponse(responseCode = "400", description = "validation, malformed-request")
    @ApiResponse(responseCode = "401", description = "unauthenticated")
    @ApiResponse(responseCode = "404", description = "not-found")
    @ApiResponse(responseCode = "409", description = "poll-closed, already-voted")
    @ApiResponse(responseCode = "422", description = "validation")
    void vote(@CurrentUser Optional<UUID> user, HttpServletRequest http, HttpServletResponse response)
            throws IOException, HttpMediaTypeNotSupportedException {
        VoteRequest request = body.read(http);
        String pollId = pathVariable(http);
        if (user.isEmpty()) {
            // without a user only an anonymous poll takes the vote: say so before judging the body
            requireAnonymous(pollId);
        }
        VoteAccepted accepted;
        try {
            accepted = accept(
                    pollId,
                    user,
                    header(http, VoterIds.DEVICE_HEADER),
                    http.getRemoteAddr(),
                    header(http, IDEMPOTENCY_HEADER),
                    request);
        } catch (ProblemException refused) {
            metrics.refused(refused.type().slug());
            throw refused;
        }
        byte[] json = accepted.json();
        response.setStatus(HttpStatus.ACCEPTED.value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
    }

    private static String pathVariable(HttpServletRequest http) {
        @SuppressWarnings("unchecked")
        Map<String, String> variables =
                (Map<String, String>) http.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        return variables.get("pollId");
    }

    /** The header's values as {@code @RequestHeader String} gave them: joined by commas, null when absent. */
    private static String header(HttpServletRequest http, String name) {
        Enumeration<String> values = http.getHeaders(name);
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        String first = values.nextElement();
        if (!values.hasMoreElements()) {
            return first;
        }
        StringBuilder joined = new StringBuilder(first);
        while (values.hasMoreElements()) {
            joined.append(',').append(values.nextElement());
        }
        return joined.toString();
    }

    private VoteAccepted accept(
            String pollId,
            Optional<UUID> user,
            String deviceId,
            String clientAddress,
            String idempotencyKey,
            VoteRequest request) {
        List<VoteRequest.Answer> answers = wellFormedAnswers(request);
        checkIdempotencyKey(idempotencyKey);
        PollDefinition poll = poll(pollId);
        UUID voterId = voterId(poll, user, deviceId, clientAddress);
        String ipAddress = poll.voters().anonymous() && storeIpAddress ? clientAddress : null;
        Instant now = clock.instant();
        if (poll.isClosedAt(now)) {
            throw new ProblemException(ProblemType.POLL_CLOSED, "This poll is closed to votes.");
        }
        checkAnswersFit(poll, answers);
        checkChoicesPerQuestion(poll, answers);
        VoteEnqueuer.Outcome outcome =
                enqueuer.enqueue(poll.pollId(), voterId, answers, idempotencyKey, now, ipAddress);
        if (outcome instanceof VoteEnqueuer.Outcome.AlreadyVoted already) {
            throw new ProblemException(
                    ProblemType.ALREADY_VOTED,
                    "You have already answered question " + already.questionId()
                            + "; no answer of this request was counted.");
        }
        if (outcome instanceof VoteEnqueuer.Outcome.KeyReused) {
            throw ProblemException.invalid(
                    HttpStatus.UNPROCESSABLE_CONTENT,
                    List.of(new InvalidField(IDEMPOTENCY_HEADER, "was first used with another request body")));
        }
        VoteEnqueuer.Outcome.Accepted accepted = (VoteEnqueuer.Outcome.Accepted) outcome;
        if (!accepted.replay()) {
            metrics.accepted();
        }
        return VoteAccepted.of(accepted.voteId());
    }

    @GetMapping("/{voteId}")
    VoteStatus status(@PathVariable String pollId, @PathVariable String voteId) {
        Optional<UUID> poll = PollDefinitions.parseUuid(pollId);
        Optional<UUID> vote = PollDefinitions.parseUuid(voteId);
        if (poll.isEmpty() || vote.isEmpty()) {
            throw new ProblemException(ProblemType.NOT_FOUND, "No such vote.");
        }
        return statuses.read(poll.get(), vote.get())
                .orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, "No such vote."));
    }

    /** A request without a user: 401 unless the poll is anonymous (an unknown poll is 404 as ever). */
    private void requireAnonymous(String pollId) {
        Optional<PollDefinition> poll = PollDefinitions.parseUuid(pollId).flatMap(polls::find);
        if (poll.isPresent() && !poll.get().voters().anonymous()) {
            throw UnauthenticatedException.noUser(identityMode);
        }
    }

    /** Who votes: the user, or the anonymous voter the device id or the client address stands for. */
    private UUID voterId(PollDefinition poll, Optional<UUID> user, String deviceId, String clientAddress) {
        Optional<UUID> voter = voterIds.voterOf(poll.voters(), user, deviceId, clientAddress);
        if (voter.isPresent()) {
            return voter.get();
        }
        throw switch (poll.voters()) {
            case USER -> UnauthenticatedException.noUser(identityMode);
            case DEVICE ->
                ProblemException.invalid(List.of(new InvalidField(
                        VoterIds.DEVICE_HEADER,
                        "must be a UUID the client keeps (e.g. in a cookie): this poll counts one vote per device")));
            // only a trusted proxy can set the address, and Tomcat's own is always an IP literal
            case IP ->
                ProblemException.invalid(
                        List.of(new InvalidField("X-Forwarded-For", "names no client IP address: " + clientAddress)));
        };
    }

    private PollDefinition poll(String pollId) {
        return PollDefinitions.parseUuid(pollId)
                .flatMap(polls::find)
                .orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, "No poll " + pollId + "."));
    }

    private static List<VoteRequest.Answer> wellFormedAnswers(VoteRequest request) {
        if (request == null || request.answers() == null || request.answers().isEmpty()) {
            throw ProblemException.invalid(List.of(new InvalidField("answers", "must contain at least one answer")));
        }
        List<VoteRequest.Answer> answers = request.answers();
        if (answers.size() > MAX_ANSWERS) {
            throw ProblemException.invalid(
                    List.of(new InvalidField("answers", "must contain at most " + MAX_ANSWERS + " answers")));
        }
        List<InvalidField> errors = new ArrayList<>();
        Set<List<UUID>> picked = new HashSet<>();
        for (int i = 0; i < answers.size(); i++) {
            VoteRequest.Answer answer = answers.get(i);
            String at = "answers[" + i + "]";
            if (answer == null) {
                errors.add(new InvalidField(at, "must be an object with question_id and choice_id"));
                continue;
            }
            if (answer.questionId() == null) {
                errors.add(new InvalidField(at + ".question_id", "is required"));
            }
            if (answer.choiceId() == null) {
                errors.add(new InvalidField(at + ".choice_id", "is required"));
            } else if (answer.questionId() != null && !picked.add(List.of(answer.questionId(), answer.choiceId()))) {
                errors.add(new InvalidField(at + ".choice_id", "picks a choice picked earlier in this vote"));
            }
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        return answers;
    }

    private static void checkIdempotencyKey(String key) {
        if (key == null) {
            return;
        }
        boolean printable = key.chars().allMatch(c -> c > 0x20 && c < 0x7f);
        if (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH || !printable) {
            throw ProblemException.invalid(List.of(new InvalidField(
                    IDEMPOTENCY_HEADER, "must be 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH + " visible ASCII characters")));
        }
    }

    /**
     * A question appears once per chosen choice: once for a single-choice question, between its {@code
     * min_choices} and {@code max_choices} times for a multi-choice one (docs/api.md "Votes").
     */
    private static void checkChoicesPerQuestion(PollDefinition poll, List<VoteRequest.Answer> answers) {
        Map<UUID, Integer> picks = new LinkedHashMap<>();
        List<InvalidField> errors = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            UUID questionId = answers.get(i).questionId();
            int count = picks.merge(questionId, 1, Integer::sum);
            PollDefinition.Question question = poll.question(questionId).orElseThrow();
            if (count == 2 && !question.multipleChoice()) {
                errors.add(new InvalidField(
                        "answers[" + i + "].question_id",
                        "answers a single-choice question answered earlier in this vote"));
            }
        }
        picks.forEach((questionId, count) -> {
            PollDefinition.Question question = poll.question(questionId).orElseThrow();
            if (question.multipleChoice() && (count < question.minChoices() || count > question.maxChoices())) {
                errors.add(new InvalidField(
                        "answers",
                        "question " + questionId + " takes " + question.minChoices() + " to " + question.maxChoices()
                                + " choices, not " + count));
            }
        });
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
    }

    private static void checkAnswersFit(PollDefinition poll, List<VoteRequest.Answer> answers) {
        List<InvalidField> errors = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            VoteRequest.Answer answer = answers.get(i);
            Optional<PollDefinition.Question> question = poll.question(answer.questionId());
            if (question.isEmpty()) {
                errors.add(new InvalidField("answers[" + i + "].question_id", "is not a question of this poll"));
            } else if (!question.get().hasChoice(answer.choiceId())) {
                errors.add(new InvalidField("answers[" + i + "].choice_id", "is not a choice of this question"));
            }
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(HttpStatus.UNPROCESSABLE_CONTENT, errors);
        }
    }
}
