package io.pollster.jobs.notify;

import io.pollster.core.events.NotifyEvent;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The notifications table: the inbox of every user, and the durable dedupe key of delivery. */
@Repository
class NotificationInbox {

    /** The newest notifications a user sees; older ones stay stored. */
    static final int LISTED = 100;

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    NotificationInbox(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactions);
    }

    /**
     * Stores the notification once, with its webhook delivery (if any) in the same transaction, so a
     * crash leaves both or neither. Returns whether it was new.
     */
    boolean deliver(NotifyEvent event, URI webhook) {
        UUID id = NotificationIds.of(event);
        Boolean inserted = transaction.execute(status -> {
            int rows = jdbc.sql(
                            """
                            INSERT INTO notifications (notification_id, recipient_id, poll_id, type, message)
                            VALUES (?, ?, ?, ?, ?)
                            ON CONFLICT (notification_id) DO NOTHING
                            """)
                    .params(id, event.recipientId(), event.pollId(), event.type(), event.message())
                    .update();
            if (rows == 1 && webhook != null) {
                jdbc.sql("INSERT INTO webhook_deliveries (notification_id, url) VALUES (?, ?)")
                        .params(id, webhook.toString())
                        .update();
            }
            return rows == 1;
        });
        return Boolean.TRUE.equals(inserted);
    }

    List<Notification> newestOf(UUID recipientId) {
        return jdbc.sql(
                        """
                        SELECT notification_id, poll_id, type, message, created_at FROM notifications
                        WHERE recipient_id = ? ORDER BY created_at DESC, notification_id LIMIT ?
                        """)
                .params(recipientId, LISTED)
                .query((rs, n) -> notification(rs))
                .list();
    }

    private static Notification notification(ResultSet rs) throws SQLException {
        return new Notification(
                rs.getObject("notification_id", UUID.class),
                rs.getObject("poll_id", UUID.class),
                rs.getString("type"),
                rs.getString("message"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant());
    }
}
