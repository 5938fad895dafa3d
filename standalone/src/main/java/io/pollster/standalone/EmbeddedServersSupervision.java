package io.pollster.standalone;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pollster.embedded.EmbeddedServer;
import io.pollster.embedded.EmbeddedServerListener;
import io.pollster.embedded.EmbeddedServers;
import io.pollster.embedded.EmbeddedSupervisionProperties;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.AvailabilityState;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/**
 * Keeps the embedded servers of the standalone jar alive and tells the truth about them:
 *
 * <ul>
 *   <li>a server that dies is restarted on its data and port, with backoff, counted in
 *       {@code pollster_embedded_restarts_total{server}};
 *   <li>meanwhile the {@code embedded} health component is DOWN and readiness refuses traffic;
 *   <li>a server that cannot be restarted turns liveness DOWN, and after
 *       {@code pollster.embedded.supervision.exit-delay} the process exits with status
 *       {@value #EXIT_STATUS}, so that whatever runs it (systemd, Kubernetes, a shell loop) starts it
 *       afresh rather than leaving a process up that can accept no vote.
 * </ul>
 *
 * With external PostgreSQL and Redis there is nothing to supervise and the component is always UP.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(EmbeddedSupervisionProperties.class)
class EmbeddedServersSupervision implements EmbeddedServerListener {

    /** The exit status of a process whose embedded server could not be restarted. */
    static final int EXIT_STATUS = 3;

    private static final Logger log = LoggerFactory.getLogger(EmbeddedServersSupervision.class);

    private enum State {
        RUNNING,
        RESTARTING,
        FAILED
    }

    private final List<EmbeddedServer> all;
    private final EmbeddedServers servers;
    private final EmbeddedSupervisionProperties properties;
    private final ConfigurableApplicationContext context;
    private final Map<String, Counter> restarts = new ConcurrentHashMap<>();
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Map<String, String> lastFailures = new ConcurrentHashMap<>();

    EmbeddedServersSupervision(
            ObjectProvider<EmbeddedServers> servers,
            EmbeddedSupervisionProperties properties,
            ConfigurableApplicationContext context,
            MeterRegistry meters) {
        this.servers = servers.getIfAvailable();
        this.all = this.servers == null ? List.of() : this.servers.all();
        this.properties = properties;
        this.context = context;
        for (EmbeddedServer server : all) {
            states.put(server.name(), State.RUNNING);
            restarts.put(
                    server.name(),
                    Counter.builder("pollster.embedded.restarts")
                            .description("Embedded servers restarted after they died")
                            .tag("server", server.name())
                            .register(meters));
        }
    }

    /** Watching starts once the application is up: a server that fails to start fails the start. */
    @EventListener(ApplicationReadyEvent.class)
    void superviseOnceReady() {
        if (servers != null) {
            servers.supervise(properties, this);
        }
    }

    @Bean
    HealthIndicator embeddedHealthIndicator() {
        return () -> {
            Health.Builder health =
                    states.values().stream().allMatch(State.RUNNING::equals) ? Health.up() : Health.down();
            for (EmbeddedServer server : all) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("state", states.get(server.name()).name().toLowerCase(java.util.Locale.ROOT));
                details.put("pid", server.pid());
                details.put("port", server.port());
                details.put("restarts", (long) restarts.get(server.name()).count());
                String failure = lastFailures.get(server.name());
                if (failure != null) {
                    details.put("last_failure", failure);
                }
                health.withDetail(server.name(), details);
            }
            return health.build();
        };
    }

    @Override
    public void down(EmbeddedServer server) {
        states.put(server.name(), State.RESTARTING);
        publish(ReadinessState.REFUSING_TRAFFIC);
    }

    @Override
    public void restarted(EmbeddedServer server, int attempt) {
        restarts.get(server.name()).increment();
        states.put(server.name(), State.RUNNING);
        if (states.values().stream().allMatch(State.RUNNING::equals)) {
            publish(ReadinessState.ACCEPTING_TRAFFIC);
        }
    }

    @Override
    public void gaveUp(EmbeddedServer server, Exception lastFailure) {
        states.put(server.name(), State.FAILED);
        if (lastFailure != null) {
            lastFailures.put(server.name(), lastFailure.toString());
        }
        publish(LivenessState.BROKEN);
        Duration delay = properties.exitDelay();
        log.error(
                "Embedded {} cannot be restarted: liveness is DOWN, exiting with status {} in {}",
                server.name(),
                EXIT_STATUS,
                delay);
        Thread exit = new Thread(
                () -> {
                    try {
                        TimeUnit.NANOSECONDS.sleep(delay.toNanos());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    System.exit(SpringApplication.exit(context, () -> EXIT_STATUS));
                },
                "embedded-servers-exit");
        exit.start();
    }

    private void publish(AvailabilityState state) {
        if (context.isActive()) {
            AvailabilityChangeEvent.publish(context, state);
        }
    }
}
