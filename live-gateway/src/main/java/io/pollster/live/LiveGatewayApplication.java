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

    public static void main(String[] args) {
        new SpringApplicationBuilder(LiveGatewayApplication.class)
                .properties(ServiceDefaults.of("live-gateway", 8081))
                .run(args);
    }
}
