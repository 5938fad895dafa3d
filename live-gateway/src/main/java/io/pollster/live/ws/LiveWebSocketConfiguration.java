package io.pollster.live.ws;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/** Serves {@link ResultsWebSocketHandler} at {@code /ws/polls/*}. */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class LiveWebSocketConfiguration implements WebSocketConfigurer {

    private final ResultsWebSocketHandler handler;

    LiveWebSocketConfiguration(ResultsWebSocketHandler handler) {
        this.handler = handler;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        // viewers are read-only and unauthenticated (API.md): any page may embed live results
        registry.addHandler(handler, "/ws/polls/*").setAllowedOriginPatterns("*");
    }
}
