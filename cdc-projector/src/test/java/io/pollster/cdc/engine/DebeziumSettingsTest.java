package io.pollster.cdc.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.cdc.CdcProperties;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class DebeziumSettingsTest {

    private static final DatabaseAddress DATABASE =
            new DatabaseAddress("jdbc:postgresql://db.internal:6432/pollster", "pollster", null);

    @Test
    void responsesArePublishedByDefault() {
        Properties settings = DebeziumSettings.of(bind(Map.of()), DATABASE);

        assertThat(settings.getProperty("table.include.list").split(","))
                .containsExactlyInAnyOrder(
                        "public.choice_counts",
                        "public.question_voter_counts",
                        "public.poll_voter_counts",
                        "public.responses",
                        "public.polls",
                        "public.cdc_heartbeats");
    }

    @Test
    void responsesLeaveThePublicationWhenResponseEventsAreOff() {
        Properties settings = DebeziumSettings.of(bind(Map.of("pollster.cdc.response-events", "false")), DATABASE);

        assertThat(settings.getProperty("table.include.list").split(","))
                .containsExactlyInAnyOrder(
                        "public.choice_counts",
                        "public.question_voter_counts",
                        "public.poll_voter_counts",
                        "public.polls",
                        "public.cdc_heartbeats");
        assertThat(settings.getProperty("publication.autocreate.mode")).isEqualTo("filtered");
    }

    @Test
    void connectsToTheApplicationsDatabase() {
        Properties settings = DebeziumSettings.of(bind(Map.of()), DATABASE);

        assertThat(settings)
                .containsEntry("database.hostname", "db.internal")
                .containsEntry("database.port", "6432")
                .containsEntry("database.dbname", "pollster")
                .containsEntry("database.user", "pollster")
                .containsEntry("plugin.name", "pgoutput");
    }

    @Test
    void perEventWorkNobodyReadsIsOff() {
        Properties settings = DebeziumSettings.of(bind(Map.of()), DATABASE);

        assertThat(settings)
                .containsEntry("extended.headers.enabled", "false")
                .containsEntry("statistics.metrics.enabled", "false")
                .containsEntry("record.processing.threads", "1");
    }

    private static CdcProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("pollster.cdc", CdcProperties.class);
    }
}
