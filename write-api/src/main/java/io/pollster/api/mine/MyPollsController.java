package io.pollster.api.mine;

import io.pollster.api.problem.InvalidField;
import io.pollster.api.problem.ProblemException;
import io.pollster.core.identity.CurrentUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Polls")
class MyPollsController {

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;

    private final MyPolls polls;

    MyPollsController(MyPolls polls) {
        this.polls = polls;
    }

    @GetMapping("/api/me/polls")
    @Operation(
            summary = "The caller's polls, newest first",
            description = "Polls without questions, with total_votes; pass next_cursor back as cursor for the"
                    + " next page (null: no more).")
    @ApiResponse(responseCode = "200", description = "A page of the caller's polls")
    @ApiResponse(responseCode = "400", description = "validation (limit or cursor)")
    MyPollsPage mine(
            @CurrentUser UUID user,
            @Parameter(description = "next_cursor of the previous page") @RequestParam(required = false) String cursor,
            @Parameter(description = "1-100, default 20") @RequestParam(required = false) String limit) {
        List<InvalidField> errors = new ArrayList<>();
        int rows = parseLimit(limit, errors);
        Optional<MyPollsCursor> after = Optional.empty();
        if (cursor != null) {
            after = MyPollsCursor.decode(cursor);
            if (after.isEmpty()) {
                errors.add(new InvalidField("cursor", "not a cursor this API returned"));
            }
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        return polls.page(user, after, rows);
    }

    private static int parseLimit(String limit, List<InvalidField> errors) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= MAX_LIMIT) {
                return value;
            }
        } catch (NumberFormatException notANumber) {
            // answered below like any other value out of range
        }
        errors.add(new InvalidField("limit", "must be an integer from 1 to " + MAX_LIMIT));
        return DEFAULT_LIMIT;
    }
}
