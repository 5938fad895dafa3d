package io.pollster.live.ws;

import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.concurrent.locks.Lock;
import org.apache.coyote.http11.upgrade.UpgradeServletOutputStream;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the socket under an upgraded connection at once. {@link WebConnection#close()} only marks
 * Tomcat's streams closed; the socket is released at the connection's next read or write event, and
 * a peer that stopped reading produces neither (Tomcat leaves an upgraded socket without timeouts),
 * so its socket, connection slot and full send buffer would stay until the peer went away. The Servlet
 * API has no abortive close, so this reaches Tomcat's socket, as its own WebSocket does on a write
 * timeout; on another container, or a Tomcat laid out differently, it does nothing (and says so once).
 */
final class TomcatSockets {

    private static final Logger log = LoggerFactory.getLogger(TomcatSockets.class);
    private static final Field SOCKET = socketField();

    private TomcatSockets() {}

    /** Closes the socket of {@code connection}, when it can be reached. */
    static void closeNow(WebConnection connection) {
        if (SOCKET == null) {
            return;
        }
        try {
            if (connection.getOutputStream() instanceof UpgradeServletOutputStream out
                    && SOCKET.get(out) instanceof SocketWrapperBase<?> socket) {
                // the lock a container thread holds while it processes an event of this socket: the
                // socket is never closed (and its channel handed to the next connection) under it
                Lock lock = socket.getLock();
                lock.lock();
                try {
                    socket.close();
                } finally {
                    lock.unlock();
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | IOException e) {
            log.debug("Cannot close the upgraded socket directly: {}", e.toString());
        }
    }

    private static Field socketField() {
        try {
            Field field = UpgradeServletOutputStream.class.getDeclaredField("socketWrapper");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.warn(
                    "Tomcat's upgraded socket is out of reach ({}): a viewer disconnected for not reading keeps "
                            + "its socket until its peer goes away",
                    e.toString());
            return null;
        }
    }
}
