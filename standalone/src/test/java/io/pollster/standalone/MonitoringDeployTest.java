package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.api.WriteApiApplication;
import io.pollster.cdc.CdcProjectorApplication;
import io.pollster.jobs.JobsApplication;
import io.pollster.live.LiveGatewayApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The monitoring files of {@code deploy/} fit together the way docker-compose.yml mounts them (no
 * Docker engine runs here to try): Prometheus scrapes every service on its port and loads its rules,
 * Grafana finds the dashboard and the datasource its panels name. That the metrics exist is
 * MonitoringMetricsIT's part; that promtool accepts the files, PrometheusRulesTopologyIT's.
 */
class MonitoringDeployTest {

    private static final Path ROOT = RepositoryFiles.root();
    private static final Map<String, Integer> SERVICES = Map.of(
            "write-api", WriteApiApplication.PORT,
            "live-gateway", LiveGatewayApplication.PORT,
            "jobs", JobsApplication.PORT,
            "cdc-projector", CdcProjectorApplication.PORT);

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesEveryServiceAndLoadsTheAlertRules() throws Exception {
        assertThat(volumes("prometheus")).contains("./deploy/prometheus:/etc/prometheus:ro");
        Map<String, Object> config = yaml("deploy/prometheus/prometheus.yml");
        for (String rules : (List<String>) config.get("rule_files")) {
            assertThat(ROOT.resolve("deploy/prometheus").resolve(rules)).exists();
        }
        Map<String, String> targets = new HashMap<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
            for (Map<String, Object> group : (List<Map<String, Object>>) job.get("static_configs")) {
                for (String target : (List<String>) group.get("targets")) {
                    targets.put((String) job.get("job_name"), target);
                }
            }
        }
        SERVICES.forEach((service, port) -> assertThat(targets).containsEntry(service, service + ":" + port));
    }

    @Test
    @SuppressWarnings("unchecked")
    void grafanaLoadsTheDashboardWhoseDatasourceItProvisions() throws Exception {
        List<String> volumes = volumes("grafana");
        assertThat(volumes).contains("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro");
        String dashboardsMount = volumes.stream()
                .filter(volume -> volume.startsWith("./deploy/grafana/dashboards:"))
                .findFirst()
                .orElseThrow()
                .split(":")[1];

        Map<String, Object> provider = ((List<Map<String, Object>>)
                        yaml("deploy/grafana/provisioning/dashboards/pollster.yml")
                                .get("providers"))
                .get(0);
        assertThat(((Map<String, Object>) provider.get("options")).get("path")).isEqualTo(dashboardsMount);

        Map<String, Object> datasource = ((List<Map<String, Object>>)
                        yaml("deploy/grafana/provisioning/datasources/prometheus.yml")
                                .get("datasources"))
                .get(0);
        assertThat(datasource).containsEntry("type", "prometheus").containsEntry("url", "http://prometheus:9090");

        JsonNode dashboard = JsonMapper.builder()
                .build()
                .readTree(Files.readString(ROOT.resolve("deploy/grafana/dashboards/pollster.json")));
        List<JsonNode> datasources = dashboard.findValues("datasource");
        assertThat(datasources)
                .isNotEmpty()
                .allSatisfy(used -> assertThat(used.path("uid").asString()).isEqualTo(datasource.get("uid")));
        Set<Integer> ids = new HashSet<>();
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
        for (JsonNode panel : panels) {
            assertThat(ids.add(panel.path("id").asInt()))
                    .as("panel ids are unique")
                    .isTrue();
            if (!panel.path("type").asString().equals("row")) {
                assertThat(panel.path("targets").findValues("expr"))
                        .as(panel.path("title").asString())
                        .isNotEmpty();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> volumes(String service) throws Exception {
        Map<String, Object> services =
                (Map<String, Object>) yaml("docker-compose.yml").get("services");
        Map<String, Object> definition = (Map<String, Object>) services.get(service);
        assertThat(definition).as("docker-compose.yml has %s", service).isNotNull();
        return (List<String>) definition.get("volumes");
    }

    private static Map<String, Object> yaml(String relative) throws Exception {
        return new Yaml().load(Files.readString(ROOT.resolve(relative)));
    }
}
