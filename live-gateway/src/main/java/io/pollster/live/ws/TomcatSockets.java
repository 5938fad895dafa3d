package io.pollster.live.ws;

import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.concurrent.locks.Lock;
import org.apache.catalina.util.ServerInfo;
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
 * timeout: the private field {@code UpgradeServletOutputStream.socketWrapper}. {@link #verify()} runs at
 * start-up and refuses to start on a Tomcat where that field is gone or changed type.
 */
final class TomcatSockets {

    private static final Logger log = LoggerFactory.getLogger(TomcatSockets.class);
    static final String FIELD = "socketWrapper";

    private static volatile Field socket;

    private TomcatSockets() {}

    /**
     * Checks that this Tomcat's upgraded streams still hold their socket where this class reaches it.
     *
     * @throws IllegalStateException naming the Tomcat version if not
     */
    static void verify() {
        socket = socketField(UpgradeServletOutputStream.class, FIELD);
    }

    /** Closes the socket of {@code connection}, when it can be reached. */
    static void closeNow(WebConnection connection) {
        Field field = socket;
        if (field == null) {
            verify();
            field = socket;
        }
        try {
            if (connection.getOutputStream() instanceof UpgradeServletOutputStream out
                    && field.get(out) instanceof SocketWrapperBase<?> wrapper) {
                // the lock a container thread holds while it processes an event of this socket: the
                // socket is never closed (and its channel handed to the next connection) under it
                Lock lock = wrapper.getLock();
                lock.lock();
                try {
                    wrapper.close();
                } finally {
                    lock.unlock();
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | IOException e) {
            log.debug("Cannot close the upgraded socket directly: {}", e.toString());
        }
    }

    /** The field {@code name} of {@code owner}, holding a {@link SocketWrapperBase}, made accessible. */
    static Field socketField(Class<?> owner, String name) {
        try {
            Field field = owner.getDeclaredField(name);
            if (!SocketWrapperBase.class.isAssignableFrom(field.getType())) {
                throw new NoSuchFieldException(
                        name + " is a " + field.getType().getName() + ", not a " + SocketWrapperBase.class.getName());
            }
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException(
                    "Tomcat " + ServerInfo.getServerNumber() + " (" + ServerInfo.getServerInfo() + ") changed: "
                            + owner.getName() + "." + name + " is out of reach (" + e + "). The live gateway closes "
                            + "the socket of a WebSocket viewer that stopped reading through it; without it such a "
                            + "viewer's socket stays open until its peer goes away. Use the Tomcat version the "
                            + "project's Spring Boot manages, or adapt io.pollster.live.ws.TomcatSockets.",
                    e);
        }
    }
}
