package io.pollster.standalone;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.ClassUtils;

/** docs/design.md: services meet in PostgreSQL and Redis, never in each other's code; only core is shared. */
class ArchitectureTest {

    private static final String[] SERVICES = {
        "io.pollster.api..", "io.pollster.cdc..", "io.pollster.live..", "io.pollster.jobs.."
    };

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.pollster");
    }

    @Test
    void servicesDoNotDependOnEachOther() {
        for (String service : SERVICES) {
            String[] others = java.util.Arrays.stream(SERVICES)
                    .filter(s -> !s.equals(service))
                    .toArray(String[]::new);
            ArchRule rule = noClasses()
                    .that()
                    .resideInAPackage(service)
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(others)
                    .because("services meet only through PostgreSQL and Redis (docs/design.md)");
            rule.check(classes);
        }
    }

    @Test
    void coreDependsOnNoService() {
        noClasses()
                .that()
                .resideInAPackage("io.pollster.core..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(SERVICES)
                .check(classes);
    }

    @Test
    void onlyStandaloneAndTestsUseTheEmbeddedServers() {
        noClasses()
                .that()
                .resideInAnyPackage(SERVICES)
                .or()
                .resideInAPackage("io.pollster.core..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.pollster.embedded..", "io.pollster.testing..")
                .check(classes);
    }

    @Test
    void tomcatsJsr356ContainerIsNotOnTheClasspath() {
        // present, Boot would register its container and a filter that every request passes through
        assertThat(ClassUtils.isPresent("org.apache.tomcat.websocket.server.WsSci", null))
                .as("tomcat-embed-websocket excluded from spring-boot-starter-webmvc in every service")
                .isFalse();
    }
}
