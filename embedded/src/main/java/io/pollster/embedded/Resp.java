package io.pollster.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The few Redis commands the embedded server needs before any client library is configured (is it up,
 * shut an orphan down), over a plain socket.
 */
final class Resp {

    private Resp() {}

    /** The first line of the reply to {@code command}, or null when nothing answers on the port. */
    static String firstLine(int port, Duration timeout, String... command) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            send(socket.getOutputStream(), command);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
        } catch (IOException nothingThere) {
            return null;
        }
    }

    /** Sends SHUTDOWN (the server flushes its AOF first) and waits until it is gone; false if none ran. */
    static boolean shutdown(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            send(socket.getOutputStream(), "SHUTDOWN");
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // the server closes the connection once it has flushed and exited
            }
            return true;
        } catch (ConnectException nobodyThere) {
            return false;
        }
    }

    private static void send(OutputStream out, String... command) throws IOException {
        StringBuilder request = new StringBuilder("*").append(command.length).append("\r\n");
        for (String part : command) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            request.append('$').append(bytes.length).append("\r\n").append(part).append("\r\n");
        }
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
