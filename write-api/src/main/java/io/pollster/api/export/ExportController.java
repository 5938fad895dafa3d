package io.pollster.api.export;

import io.pollster.api.problem.ProblemException;
import io.pollster.core.identity.CurrentUser;
import io.pollster.core.identity.VoterIds;
import io.pollster.core.json.ProblemType;
import io.pollster.core.poll.PollCatalog;
import io.pollster.core.poll.PollDefinition;
import io.pollster.core.poll.ResultsVisibility;
import io.pollster.core.results.ResultsAccess;
import io.pollster.core.results.ResultsReader;
import io.pollster.core.results.ResultsViewer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/polls")
@Tag(name = "Polls")
class ExportController {

    static final MediaType TEXT_CSV = new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8);

    private static final Logger log = LoggerFactory.getLogger(ExportController.class);

    private final PollCatalog catalog;
    private final ResultsReader results;
    private final ResponsesExport responses;
    private final ResultsAccess access;
    private final VoterIds voterIds;

    ExportController(
            PollCatalog catalog,
            ResultsReader results,
            ResponsesExport responses,
            ResultsAccess access,
            VoterIds voterIds) {
        this.catalog = catalog;
        this.results = results;
        this.responses = responses;
        this.access = access;
        this.voterIds = voterIds;
    }

    @GetMapping("/{pollIdOrSlug}/results.csv")
    @Operation(
            summary = "Current results as CSV: question_id,question,choice_id,choice,count",
            description = "The same visibility rules as the results: 403 results-hidden while this viewer may"
                    + " not see them.")
    @ApiResponse(
            responseCode = "200",
            description = "One row per choice",
            content = @Content(mediaType = "text/csv", schema = @Schema(type = "string")))
    @ApiResponse(responseCode = "403", description = "results-hidden")
    @ApiResponse(responseCode = "404", description = "not-found")
    ResponseEntity<String> resultsCsv(
            @Parameter(description = "poll id or slug") @PathVariable String pollIdOrSlug,
            @CurrentUser Optional<UUID> user,
            @Parameter(description = "the device id, for a device poll's after_vote results")
                    @RequestHeader(name = VoterIds.DEVICE_HEADER, required = false)
                    String deviceId,
            HttpServletRequest request) {
        PollDefinition poll = find(pollIdOrSlug);
        if (!access.maySee(poll, ResultsViewer.of(poll, user, deviceId, request.getRemoteAddr(), voterIds))) {
            throw new ProblemException(
                    ProblemType.RESULTS_HIDDEN,
                    poll.resultsVisibility() == ResultsVisibility.AFTER_VOTE
                            ? "This poll shows its results to those who voted, once they have."
                            : "This poll shows its results once it is closed.");
        }
        return ResponseEntity.ok()
                .contentType(TEXT_CSV)
                .header(HttpHeaders.CONTENT_DISPOSITION, attachment(poll, "results"))
                .body(ResultsCsv.of(poll, results.read(poll)));
    }

    @GetMapping("/{pollId}/responses.csv")
    @Operation(
            summary = "Every recorded response as CSV (creator only)",
            description = "response_id,question_id,choice_id,user_id,submitted_at; streamed however many there"
                    + " are. A failure mid-stream breaks the connection off, so a partial file never looks whole.")
    @ApiResponse(
            responseCode = "200",
            description = "Every response, oldest first",
            content = @Content(mediaType = "text/csv", schema = @Schema(type = "string")))
    @ApiResponse(responseCode = "403", description = "not-poll-owner")
    @ApiResponse(responseCode = "404", description = "not-found")
    void responsesCsv(@CurrentUser UUID user, @PathVariable String pollId, HttpServletResponse response)
            throws IOException {
        PollDefinition poll = find(pollId);
        if (!poll.creatorId().equals(user)) {
            throw new ProblemException(ProblemType.NOT_POLL_OWNER, "Only the poll's creator can export its responses");
        }
        response.setContentType(TEXT_CSV.toString());
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, attachment(poll, "responses"));
        try {
            long rows = responses.write(poll.pollId(), response.getOutputStream());
            log.debug("Exported {} responses of poll {}", rows, poll.pollId());
        } catch (RuntimeException failure) {
            if (!response.isCommitted()) {
                throw failure; // nothing sent yet: answered as a problem (503 when PostgreSQL is out of reach)
            }
            log.warn("Export of the responses of poll {} broke off: {}", poll.pollId(), failure.toString());
            throw new ExportInterruptedException("export of poll " + poll.pollId() + " broke off", failure);
        }
    }

    private PollDefinition find(String idOrSlug) {
        return catalog.find(idOrSlug)
                .orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, "No poll " + idOrSlug));
    }

    private static String attachment(PollDefinition poll, String what) {
        return ContentDisposition.attachment()
                .filename(poll.slug() + "-" + what + ".csv")
                .build()
                .toString();
    }
}
