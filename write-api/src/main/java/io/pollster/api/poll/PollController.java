package io.pollster.api.poll;

import io.pollster.api.problem.ProblemException;
import io.pollster.core.identity.CurrentUser;
import io.pollster.core.identity.VoterIds;
import io.pollster.core.json.ProblemType;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.results.Results;
import io.pollster.core.results.ResultsAccess;
import io.pollster.core.results.ResultsReader;
import io.pollster.core.results.ResultsViewer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/polls")
@Tag(name = "Polls")
class PollController {

    private final PollService polls;
    private final ResultsReader results;
    private final ResultsAccess access;
    private final VoterIds voterIds;

    PollController(PollService polls, ResultsReader results, ResultsAccess access, VoterIds voterIds) {
        this.polls = polls;
        this.results = results;
        this.access = access;
        this.voterIds = voterIds;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create a poll", description = "Body at most 64 KiB.")
    @ApiResponse(responseCode = "201", description = "Created; Location: /api/polls/{poll_id}")
    @ApiResponse(responseCode = "400", description = "validation, malformed-request")
    @ApiResponse(responseCode = "413", description = "payload-too-large")
    @ApiResponse(responseCode = "415", description = "unsupported-media-type")
    ResponseEntity<PollView> create(@CurrentUser UUID user, @RequestBody CreatePollRequest request) {
        PollDefinition poll = polls.create(user, request);
        return ResponseEntity.created(URI.create("/api/polls/" + poll.pollId())).body(PollView.of(poll));
    }

    @GetMapping("/{pollIdOrSlug}")
    @Operation(
            summary = "A poll with its current results",
            description = "Where the poll's results_visibility hides them from this viewer, results carries"
                    + " results_hidden: true and the totals, no questions.")
    @ApiResponse(responseCode = "200", description = "The poll, with results")
    @ApiResponse(responseCode = "404", description = "not-found")
    PollView read(
            @Parameter(description = "poll id or slug") @PathVariable String pollIdOrSlug,
            @CurrentUser Optional<UUID> user,
            @Parameter(description = "the device id, for a device poll's after_vote results")
                    @RequestHeader(name = VoterIds.DEVICE_HEADER, required = false)
                    String deviceId,
            HttpServletRequest request) {
        PollDefinition poll = polls.find(pollIdOrSlug);
        Results current = results.read(poll);
        boolean visible = access.maySee(poll, viewer(poll, user, deviceId, request));
        return PollView.of(poll, visible ? current : current.hidden());
    }

    @GetMapping("/{pollIdOrSlug}/results")
    @Operation(summary = "Current results of a poll: every choice, 0 if unvoted")
    @ApiResponse(responseCode = "200", description = "The results")
    @ApiResponse(responseCode = "403", description = "results-hidden")
    @ApiResponse(responseCode = "404", description = "not-found")
    Results results(
            @Parameter(description = "poll id or slug") @PathVariable String pollIdOrSlug,
            @CurrentUser Optional<UUID> user,
            @Parameter(description = "the device id, for a device poll's after_vote results")
                    @RequestHeader(name = VoterIds.DEVICE_HEADER, required = false)
                    String deviceId,
            HttpServletRequest request) {
        PollDefinition poll = polls.find(pollIdOrSlug);
        if (!access.maySee(poll, viewer(poll, user, deviceId, request))) {
            throw new ProblemException(
                    ProblemType.RESULTS_HIDDEN,
                    switch (poll.resultsVisibility()) {
                        case AFTER_VOTE -> "This poll shows its results to those who voted, once they have.";
                        default -> "This poll shows its results once it is closed.";
                    });
        }
        return results.read(poll);
    }

    private ResultsViewer viewer(
            PollDefinition poll, Optional<UUID> user, String deviceId, HttpServletRequest request) {
        return ResultsViewer.of(poll, user, deviceId, request.getRemoteAddr(), voterIds);
    }

    @PostMapping("/{pollId}/close")
    @Operation(
            summary = "Close a poll (creator only)",
            description = "Closing a closed poll answers 200 with the original closed_at.")
    @ApiResponse(responseCode = "200", description = "The poll, closed_at set")
    @ApiResponse(responseCode = "403", description = "not-poll-owner")
    @ApiResponse(responseCode = "404", description = "not-found")
    PollView close(@CurrentUser UUID user, @PathVariable String pollId) {
        return PollView.of(polls.close(user, pollId));
    }
}
