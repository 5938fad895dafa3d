package io.pollster.jobs.notify;

import io.pollster.core.poll.PollDefinitions;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/notifications}: the caller's inbox, newest first (API.md). */
@RestController
class NotificationsController {

    static final String USER_HEADER = "X-User-Id";

    private final NotificationInbox inbox;

    NotificationsController(NotificationInbox inbox) {
        this.inbox = inbox;
    }

    @GetMapping("/api/notifications")
    NotificationsResponse notifications(@RequestHeader(name = USER_HEADER, required = false) String userId) {
        UUID user = PollDefinitions.parseUuid(userId == null ? null : userId.trim())
                .orElseThrow(() -> new UnauthenticatedException(
                        userId == null
                                ? "The " + USER_HEADER + " header is missing."
                                : "The " + USER_HEADER + " header is not a UUID."));
        return new NotificationsResponse(inbox.newestOf(user));
    }

    record NotificationsResponse(List<Notification> items) {}

    static final class UnauthenticatedException extends RuntimeException {
        UnauthenticatedException(String detail) {
            super(detail);
        }
    }
}
