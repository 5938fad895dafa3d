package io.pollster.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A minimal blocking HTTP/1.1 client over one keep-alive connection. The JDK's HttpClient costs more CPU
 * per request than the servers under test on a 2-core machine, so the load generator would measure
 * itself; this one writes a request and parses status, headers and body (Content-Length or chunked),
 * reconnecting when the server closes the connection.
 */
final class KeepAliveHttp implements AutoCloseable {

    private final String host;
    private final int port;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    KeepAliveHttp(URI base) {
        this.host = base.getHost();
        this.port = base.getPort();
    }

    /** Sends a POST with a JSON body and returns the status; the body is read and dropped. */
    int post(String path, String userId, byte[] body) throws IOException {
        return exchange(path, "X-User-Id: " + userId, body, null);
    }

    /** Same as {@link #post} but keeps the body. */
    int post(String path, String userId, byte[] body, ByteArrayOutputStream responseBody) throws IOException {
        return exchange(path, "X-User-Id: " + userId, body, responseBody);
    }

    /** A POST whose user is a bearer token (pollster.identity.mode=jwt); the body is read and dropped. */
    int postWithToken(String path, String token, byte[] body) throws IOException {
        return exchange(path, "Authorization: Bearer " + token, body, null);
    }

    private int exchange(String path, String identity, byte[] body, ByteArrayOutputStream responseBody)
            throws IOException {
        if (socket == null) {
            connect();
        }
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nContent-Type: application/json\r\n" + identity + "\r\nContent-Length: " + body.length
                + "\r\n\r\n";
        try {
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return readResponse(responseBody);
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private void connect() throws IOException {
        socket = new Socket(host, port);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    }

    private int readResponse(ByteArrayOutputStream responseBody) throws IOException {
        String status = line();
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closeAfter = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                closeAfter = true;
            }
        }
        if (chunked) {
            for (long size = Long.parseLong(line().split(";")[0].trim(), 16);
                    size > 0;
                    size = Long.parseLong(line().split(";")[0].trim(), 16)) {
                copy(size, responseBody);
                line();
            }
            line();
        } else if (length > 0) {
            copy(length, responseBody);
        }
        if (closeAfter) {
            close();
        }
        return code;
    }

    private void copy(long bytes, ByteArrayOutputStream sink) throws IOException {
        for (long i = 0; i < bytes; i++) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed mid-body");
            }
            if (sink != null) {
                sink.write(b);
            }
        }
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
