package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.api.WriteApiApplication;
import io.pollster.cdc.CdcProjectorApplication;
import io.pollster.jobs.JobsApplication;
import io.pollster.live.LiveGatewayApplication;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * No Docker engine runs here, so docker-compose.yml is checked by reading it: every deployable is
 * there, built from its own Dockerfile, on its port, and every environment variable it sets names a
 * property the application knows.
 */
class DockerComposeTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Map<String, Integer> DEPLOYABLES = Map.of(
            "write-api", WriteApiApplication.PORT,
            "live-gateway", LiveGatewayApplication.PORT,
            "jobs", JobsApplication.PORT,
            "cdc-projector", CdcProjectorApplication.PORT);

    private static Map<String, Map<String, Object>> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void readCompose() throws IOException {
        try (InputStream in = Files.newInputStream(ROOT.resolve("docker-compose.yml"))) {
            Map<String, Object> compose = new Yaml().load(in);
            services = (Map<String, Map<String, Object>>) compose.get("services");
        }
    }

    @Test
    void everyDeployableIsBuiltFromItsDockerfileOnItsPort() {
        DEPLOYABLES.forEach((name, port) -> {
            Map<String, Object> service = services.get(name);
            assertThat(service).as(name).isNotNull();
            @SuppressWarnings("unchecked")
            Map<String, Object> build = (Map<String, Object>) service.get("build");
            String dockerfile = (String) build.get("dockerfile");
            assertThat(dockerfile).isEqualTo(name + "/Dockerfile");
            assertThat(ROOT.resolve(dockerfile)).exists();
            assertThat(ports(service)).contains(port + ":" + port);
        });
    }

    @Test
    void dockerfilesExposeTheServicePortAndRunTheExecutableJar() throws IOException {
        for (var deployable : DEPLOYABLES.entrySet()) {
            String dockerfile = Files.readString(ROOT.resolve(deployable.getKey() + "/Dockerfile"));
            assertThat(dockerfile)
                    .contains("EXPOSE " + deployable.getValue())
                    .contains("-pl " + deployable.getKey() + " -am")
                    .contains(deployable.getKey() + "-*-exec.jar");
        }
    }

    @Test
    void postgresRunsWithLogicalDecodingAndRedisWithItsAppendOnlyFile() {
        assertThat(String.join(" ", command("postgres"))).contains("wal_level=logical");
        assertThat(String.join(" ", command("redis"))).contains("--appendonly yes");
    }

    @Test
    void theLoadBalancerRoutesApiToWriteApiAndLiveTrafficToTheGateway() throws IOException {
        assertThat(services).containsKey("lb");
        String nginx = Files.readString(ROOT.resolve("deploy/nginx.conf"));
        assertThat(nginx)
                .contains("server write-api:" + WriteApiApplication.PORT)
                .contains("server live-gateway:" + LiveGatewayApplication.PORT)
                .contains("server jobs:" + JobsApplication.PORT)
                .containsPattern("location /api/notifications \\{\\s*proxy_pass http://jobs;")
                .containsPattern("location /api/ \\{\\s*proxy_pass http://write_api;")
                .containsPattern("location /ws/ \\{\\s*proxy_pass http://live_gateway;")
                .containsPattern("location /sse/ \\{\\s*proxy_pass http://live_gateway;");
    }

    /**
     * What the topology test found missing, checked where every build sees it: without Host, nginx
     * sends the upstream's name ({@code live_gateway}), which Tomcat refuses; without the blank
     * X-User-Id a client could choose its identity through the load balancer; with its own
     * X-Forwarded-For passed on (nginx's {@code $proxy_add_x_forwarded_for}), its address.
     */
    @Test
    void everyLocationPassesHostAndClientAddressAndDropsAClientsUserId() throws IOException {
        String nginx = Files.readString(ROOT.resolve("deploy/nginx.conf"));
        Matcher locations = Pattern.compile("location\\s+(\\S+)\\s*\\{([^}]*)}").matcher(nginx);
        List<String> seen = new java.util.ArrayList<>();
        while (locations.find()) {
            String location = locations.group(1);
            seen.add(location);
            assertThat(locations.group(2))
                    .as("location %s", location)
                    .contains("proxy_set_header Host $host;")
                    // the address nginx sees replaces a client's own X-Forwarded-For, never follows it
                    .contains("proxy_set_header X-Forwarded-For $remote_addr;")
                    .contains("proxy_set_header X-Forwarded-Proto $scheme;")
                    .contains("proxy_set_header X-User-Id \"\";");
        }
        assertThat(seen).containsExactlyInAnyOrder("/api/notifications", "/api/", "/ws/", "/sse/");
        assertThat(nginx).doesNotContain("$proxy_add_x_forwarded_for");
    }

    @Test
    void everyEnvironmentVariableNamesAKnownProperty() throws IOException {
        Set<String> known = knownProperties();
        for (String name : DEPLOYABLES.keySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> environment =
                    (Map<String, Object>) services.get(name).get("environment");
            assertThat(environment).as(name).containsKeys("SPRING_DATASOURCE_URL", "SPRING_DATA_REDIS_URL");
            for (String variable : environment.keySet()) {
                assertThat(known)
                        .as("%s of %s names no configuration property", variable, name)
                        .contains(canonical(variable));
            }
        }
    }

    /** Relaxed binding: SPRING_DATA_REDIS_URL and spring.data.redis.url are the same property. */
    private static String canonical(String name) {
        return name.toLowerCase(Locale.ROOT).replace("_", ".").replace("-", "");
    }

    /** Every property described by configuration metadata on the classpath (Spring's and ours). */
    private static Set<String> knownProperties() throws IOException {
        Set<String> names = new HashSet<>();
        JsonMapper json = JsonMapper.builder().build();
        for (String file : List.of(
                "META-INF/spring-configuration-metadata.json",
                "META-INF/additional-spring-configuration-metadata.json")) {
            for (URL url :
                    Collections.list(DockerComposeTest.class.getClassLoader().getResources(file))) {
                try (InputStream in = url.openStream()) {
                    JsonNode properties = json.readTree(in).path("properties");
                    properties.forEach(p -> names.add(canonical(p.path("name").asString())));
                }
            }
        }
        assertThat(names).as("configuration metadata found").hasSizeGreaterThan(100);
        return names;
    }

    @SuppressWarnings("unchecked")
    private static List<String> ports(Map<String, Object> service) {
        return (List<String>) service.get("ports");
    }

    @SuppressWarnings("unchecked")
    private static List<String> command(String service) {
        return (List<String>) services.get(service).get("command");
    }
}
