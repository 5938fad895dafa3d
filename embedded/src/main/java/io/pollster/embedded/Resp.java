package io.pollster.embedded;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

    /**
     * The reply to {@code command}, read whole: a simple string, an error (with its {@code -}), an
     * integer or a bulk string as text, an array as its elements' texts; null when nothing answers.
     */
    static Object reply(int port, Duration timeout, String... command) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            send(socket.getOutputStream(), command);
            return read(new DataInputStream(new BufferedInputStream(socket.getInputStream())));
        } catch (IOException | RuntimeException nothingThere) {
            return null;
        }
    }

    private static Object read(DataInputStream in) throws IOException {
        String line = line(in);
        char type = line.charAt(0);
        String rest = line.substring(1);
        switch (type) {
            case '+', ':' -> {
                return rest;
            }
            case '-' -> {
                return line;
            }
            case '$' -> {
                int length = Integer.parseInt(rest);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = new byte[length + 2]; // and its CRLF
                in.readFully(bytes);
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int count = Integer.parseInt(rest);
                List<Object> elements = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    elements.add(read(in));
                }
                return elements;
            }
            default -> throw new IOException("not a RESP reply: " + line);
        }
    }

    private static String line(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed mid-reply");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
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
