package io.pollster.live;

import io.pollster.core.ServiceDefaults;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Import;

/** live-gateway deployed on its own (port 8081). */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(LiveGatewayConfiguration.class)
public class LiveGatewayApplication {

    /** The port of live-gateway when deployed on its own (docs/api.md). */
    public static final int PORT = 8081;

    public static void main(String[] args) {
        new SpringApplicationBuilder(LiveGatewayApplication.class)
                .properties(ServiceDefaults.of("live-gateway", PORT))
                .run(args);
    }
}
