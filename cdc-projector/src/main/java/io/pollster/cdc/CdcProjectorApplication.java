package io.pollster.cdc;

import io.pollster.core.ServiceDefaults;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Import;

/** cdc-projector deployed on its own (port 8083). */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(CdcProjectorConfiguration.class)
public class CdcProjectorApplication {

    /** The port of cdc-projector when deployed on its own (docs/api.md). */
    public static final int PORT = 8083;

    public static void main(String[] args) {
        new SpringApplicationBuilder(CdcProjectorApplication.class)
                .properties(ServiceDefaults.of("cdc-projector", PORT))
                .run(args);
    }
}
