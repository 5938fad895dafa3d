package io.pollster.jobs.notify;

import io.pollster.core.identity.CurrentUser;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/notifications}: the caller's inbox, newest first (docs/api.md). The caller is core's
 * {@link CurrentUser}; without one the answer is 401 {@code unauthenticated}.
 */
@RestController
class NotificationsController {

    private final NotificationInbox inbox;

    NotificationsController(NotificationInbox inbox) {
        this.inbox = inbox;
    }

    @GetMapping("/api/notifications")
    NotificationsResponse notifications(@CurrentUser UUID user) {
        return new NotificationsResponse(inbox.newestOf(user));
    }

    record NotificationsResponse(List<Notification> items) {}
}
