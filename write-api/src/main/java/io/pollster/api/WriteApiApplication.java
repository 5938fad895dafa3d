package io.pollster.api;

import io.pollster.core.ServiceDefaults;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Import;

/** write-api deployed on its own (port 8080). */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(WriteApiConfiguration.class)
public class WriteApiApplication {

    /** The port of write-api when deployed on its own (docs/api.md). */
    public static final int PORT = 8080;

    public static void main(String[] args) {
        new SpringApplicationBuilder(WriteApiApplication.class)
                .properties(ServiceDefaults.of("write-api", PORT))
                .run(args);
    }
}
