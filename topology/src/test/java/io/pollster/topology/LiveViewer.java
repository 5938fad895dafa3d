package io.pollster.topology;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * A viewer of one poll's live results, as a browser would be: it connects through the load balancer,
 * keeps the latest message, and when its connection ends before the closing message (its gateway
 * died) it connects again, as the demo page does, and so lands on a surviving gateway. It records what
 * the contract forbids: a version going down on one connection.
 */
public abstract sealed class LiveViewer implements AutoCloseable {

    private static final Duration RECONNECT_DELAY = Duration.ofMillis(300);

    protected final URI uri;
    protected final HttpClient http;
    private final ScheduledExecutorService reconnects;
    private final String name;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger drops = new AtomicInteger();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private volatile JsonNode latest;
    private volatile JsonNode closing;
    private volatile long connectionVersion = -1;
    private volatile boolean stopped;

    private LiveViewer(String name, URI uri, HttpClient http) {
        this.name = name;
        this.uri = uri;
        this.http = http;
        this.reconnects = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "viewer-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A WebSocket viewer of {@code /ws/polls/{pollIdOrSlug}} through the load balancer. */
    public static LiveViewer webSocket(PollsterClient client, String pollIdOrSlug) {
        LiveViewer viewer = new WebSocketViewer(client.ws("/ws/polls/" + pollIdOrSlug), client.http());
        viewer.reconnects.execute(viewer::connect);
        return viewer;
    }

    /** A Server-Sent Events viewer of {@code /sse/polls/{pollIdOrSlug}} through the load balancer. */
    public static LiveViewer sse(PollsterClient client, String pollIdOrSlug) {
        LiveViewer viewer = new SseViewer(client.http("/sse/polls/" + pollIdOrSlug), client.http());
        viewer.reconnects.execute(viewer::connect);
        return viewer;
    }

    /** Opens one connection; it calls {@link #connected()}, {@link #message(String)} and {@link #ended(Throwable)}. */
    protected abstract void connect();

    protected abstract void disconnect();

    protected final void connected() {
        connectionVersion = -1;
        connections.incrementAndGet();
    }

    protected final void message(String json) {
        JsonNode message = PollsterClient.JSON.readTree(json);
        if (!"results".equals(message.path("type").asString())) {
            return;
        }
        long version = message.path("version").asLong();
        if (version < connectionVersion) {
            violations.add(name + ": version " + version + " after " + connectionVersion + " on one connection");
        }
        connectionVersion = version;
        latest = message;
        if (message.path("closed").asBoolean()) {
            closing = message;
        }
    }

    protected final void ended(Throwable cause) {
        if (stopped || closing != null) {
            return;
        }
        drops.incrementAndGet();
        reconnects.schedule(this::connect, RECONNECT_DELAY.toMillis(), TimeUnit.MILLISECONDS);
    }

    public JsonNode latest() {
        return latest;
    }

    /** The message with {@code "closed": true}, once it came. */
    public JsonNode closing() {
        return closing;
    }

    /** Connections opened (one, plus one per reconnect that reached a gateway). */
    public int connections() {
        return connections.get();
    }

    /** Connections or attempts that ended before the closing message. */
    public int drops() {
        return drops.get();
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        stopped = true;
        disconnect();
        reconnects.shutdownNow();
    }

    @Override
    public String toString() {
        return name + " (connections " + connections() + ", drops " + drops() + ", latest " + latest + ")";
    }

    static final class WebSocketViewer extends LiveViewer {

        private volatile WebSocket socket;

        WebSocketViewer(URI uri, HttpClient http) {
            super("ws " + uri.getPath(), uri, http);
        }

        @Override
        protected void connect() {
            http.newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(uri, new WebSocket.Listener() {
                        private final StringBuilder text = new StringBuilder();

                        @Override
                        public void onOpen(WebSocket webSocket) {
                            socket = webSocket;
                            connected();
                            webSocket.request(1);
                        }

                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                String json = text.toString();
                                text.setLength(0);
                                message(json);
                            }
                            webSocket.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                            ended(null);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket webSocket, Throwable error) {
                            ended(error);
                        }
                    })
                    .whenComplete((webSocket, error) -> {
                        if (error != null) {
                            ended(error);
                        }
                    });
        }

        @Override
        protected void disconnect() {
            WebSocket current = socket;
            if (current != null) {
                current.abort();
            }
        }
    }

    static final class SseViewer extends LiveViewer {

        private volatile InputStream body;

        SseViewer(URI uri, HttpClient http) {
            super("sse " + uri.getPath(), uri, http);
        }

        @Override
        protected void connect() {
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .header("Accept", "text/event-stream")
                    .GET()
                    .build();
            Thread reader = new Thread(
                    () -> {
                        try {
                            HttpResponse<InputStream> response =
                                    http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                            body = response.body();
                            if (response.statusCode() != 200) {
                                body.close();
                                ended(null);
                                return;
                            }
                            connected();
                            read(new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8)));
                            ended(null);
                        } catch (Exception e) {
                            ended(e);
                        }
                    },
                    "sse-" + uri.getPath());
            reader.setDaemon(true);
            reader.start();
        }

        private void read(BufferedReader lines) throws java.io.IOException {
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        message(data.toString());
                        data.setLength(0);
                    }
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                }
            }
        }

        @Override
        protected void disconnect() {
            InputStream current = body;
            if (current != null) {
                try {
                    current.close();
                } catch (java.io.IOException e) {
                    // closing to stop reading: nothing left to do with it
                }
            }
        }
    }
}
