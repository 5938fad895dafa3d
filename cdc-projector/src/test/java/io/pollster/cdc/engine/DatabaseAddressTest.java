package io.pollster.cdc.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.cdc.CdcProperties;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class DatabaseAddressTest {

    private static final String TLS_URL = "jdbc:postgresql://db.internal:6432/pollster?sslmode=verify-full"
            + "&sslrootcert=%2Fetc%2Fpollster%2Froot.crt&sslpassword=key-secret&connectTimeout=5"
            + "&ApplicationName=pollster-cdc";

    @Test
    void tlsParametersOfTheUrlReachDebezium() {
        DatabaseAddress address = new DatabaseAddress(TLS_URL, "pollster", "db-secret");

        Properties settings = DebeziumSettings.of(
                new Binder(new MapConfigurationPropertySource(java.util.Map.of()))
                        .bindOrCreate("pollster.cdc", CdcProperties.class),
                address);

        assertThat(settings)
                .containsEntry("database.hostname", "db.internal")
                .containsEntry("database.port", "6432")
                .containsEntry("database.dbname", "pollster")
                .containsEntry("database.user", "pollster")
                .containsEntry("database.password", "db-secret")
                .containsEntry("database.sslmode", "verify-full")
                .containsEntry("database.sslrootcert", "/etc/pollster/root.crt")
                .containsEntry("database.sslpassword", "key-secret")
                .containsEntry("driver.connectTimeout", "5")
                .containsEntry("driver.ApplicationName", "pollster-cdc");
        // the offset store connects with the whole URL, parameters included
        assertThat(settings).containsEntry(PostgresOffsetBackingStore.JDBC_URL, TLS_URL);
    }

    @Test
    void credentialsMayComeFromTheUrl() {
        DatabaseAddress address = new DatabaseAddress(
                "jdbc:postgresql://db/pollster?user=cdc&password=p%40ss&sslmode=require", null, null);

        assertThat(address.username()).isEqualTo("cdc");
        assertThat(address.password()).isEqualTo("p@ss");
        assertThat(address.debeziumSettings())
                .containsEntry("database.sslmode", "require")
                .doesNotContainKeys("driver.user", "driver.password");
    }

    @Test
    void toStringNeverShowsAPassword() {
        String printed = new DatabaseAddress(TLS_URL + "&password=url-secret", "pollster", "db-secret").toString();

        assertThat(printed)
                .doesNotContain("db-secret")
                .doesNotContain("key-secret")
                .doesNotContain("url-secret")
                .contains("db.internal:6432")
                .contains("username=pollster")
                .contains("password=****");
    }
}
