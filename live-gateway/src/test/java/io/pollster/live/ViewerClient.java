package io.pollster.live;

import io.pollster.core.json.PollsterJson;
import io.pollster.core.results.ResultsMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;

/** A WebSocket viewer on the JDK client, keeping every results message it got and how it was closed. */
final class ViewerClient implements WebSocket.Listener {

    /** The messages with counts (not the hidden shape), in order. */
    final List<ResultsMessage> messages = new CopyOnWriteArrayList<>();
    /**
     * Every message as received, hidden ones included, with the fields {@link ResultsMessage} does not hold
     * ({@code viewers}, {@code results_hidden}).
     */
    final List<JsonNode> json = new CopyOnWriteArrayList<>();

    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    final List<String> pongs = new CopyOnWriteArrayList<>();
    /** Pings the server sent; the JDK client answers each with a pong by itself. */
    final java.util.concurrent.atomic.AtomicInteger pings = new java.util.concurrent.atomic.AtomicInteger();

    volatile WebSocket socket;

    private final StringBuilder partial = new StringBuilder();

    static CompletableFuture<ViewerClient> connect(HttpClient http, URI uri) {
        ViewerClient viewer = new ViewerClient();
        return http.newWebSocketBuilder().buildAsync(uri, viewer).thenApply(ws -> {
            viewer.socket = ws;
            return viewer;
        });
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            JsonNode message = PollsterJson.mapper().readTree(partial.toString());
            json.add(message);
            if (message.has("questions")) {
                messages.add(ResultsMessage.fromJson(partial.toString()));
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        pings.incrementAndGet();
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        pongs.add(StandardCharsets.UTF_8.decode(message).toString());
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.completeExceptionally(error);
    }

    ResultsMessage last() {
        return messages.isEmpty() ? null : messages.get(messages.size() - 1);
    }

    /** The {@code viewers} figure of the latest message, or -1 before the first. */
    long viewers() {
        return json.isEmpty() ? -1 : json.get(json.size() - 1).path("viewers").asLong(-1);
    }

    boolean versionsNeverDecrease() {
        for (int i = 1; i < json.size(); i++) {
            if (json.get(i).get("version").asLong()
                    < json.get(i - 1).get("version").asLong()) {
                return false;
            }
        }
        return true;
    }
}
