package io.pollster.live;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client on a plain socket, for what no well-behaved client library sends: frames broken on
 * purpose, floods, silence. Connects through the gateway's trusted-proxy header as {@code clientIp}, so
 * each test client counts against its own per-IP limit.
 */
final class RawWebSocket implements AutoCloseable {

    /** A frame the server sent. */
    record Frame(int opcode, byte[] payload) {

        int closeCode() {
            return payload.length < 2 ? 1005 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }
    }

    private static final java.util.concurrent.atomic.AtomicInteger CLIENTS =
            new java.util.concurrent.atomic.AtomicInteger();

    final Socket socket;
    final OutputStream out;
    private final DataInputStream in;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** An address of its own for each client: {@code 10.x.y.z}, trusted from localhost as a proxy's. */
    static String freshIp() {
        int n = CLIENTS.incrementAndGet();
        return "10." + ((n >> 16) & 0xFF) + "." + ((n >> 8) & 0xFF) + "." + (n & 0xFF);
    }

    /** Opens {@code path} with a valid handshake; {@code receiveBuffer} 0 keeps the system's. */
    static RawWebSocket open(int port, String path, String clientIp, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("localhost", port), 10_000);
        socket.setSoTimeout(60_000);
        RawWebSocket ws = new RawWebSocket(socket);
        ws.out.write(("GET " + path + " HTTP/1.1\r\n"
                        + "Host: localhost:" + port + "\r\n"
                        + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "X-Forwarded-For: " + clientIp + "\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        ws.out.flush();
        String head = ws.head();
        if (!head.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("handshake refused: " + head);
        }
        return ws;
    }

    /** The response head, up to the blank line. */
    String head() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next frame from the server; EOFException when the server closed the connection. */
    Frame next() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(b0 & 0x0F, payload);
    }

    /** Reads frames, dropping results and pings, until the server's close frame; returns it. */
    Frame untilClose() throws IOException {
        while (true) {
            Frame frame = next();
            if (frame.opcode() == 0x8) {
                return frame;
            }
        }
    }

    /** Whether the server has closed the TCP connection (reads and drops whatever is left). */
    boolean closedByServer() {
        try {
            InputStream raw = socket.getInputStream();
            byte[] sink = new byte[8192];
            while (raw.read(sink) >= 0) {
                // drain
            }
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
