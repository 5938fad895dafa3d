package io.pollster.api.poll;

import io.pollster.core.identity.CurrentUser;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.results.Results;
import io.pollster.core.results.ResultsReader;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/polls")
@Tag(name = "Polls")
class PollController {

    private final PollService polls;
    private final ResultsReader results;

    PollController(PollService polls, ResultsReader results) {
        this.polls = polls;
        this.results = results;
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
    @Operation(summary = "A poll with its current results")
    @ApiResponse(responseCode = "200", description = "The poll, with results")
    @ApiResponse(responseCode = "404", description = "not-found")
    PollView read(@Parameter(description = "poll id or slug") @PathVariable String pollIdOrSlug) {
        PollDefinition poll = polls.find(pollIdOrSlug);
        return PollView.of(poll, results.read(poll));
    }

    @GetMapping("/{pollIdOrSlug}/results")
    @Operation(summary = "Current results of a poll: every choice, 0 if unvoted")
    @ApiResponse(responseCode = "200", description = "The results")
    @ApiResponse(responseCode = "404", description = "not-found")
    Results results(@Parameter(description = "poll id or slug") @PathVariable String pollIdOrSlug) {
        return results.read(polls.find(pollIdOrSlug));
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
