package io.pollster.standalone;

import io.pollster.api.WriteApiConfiguration;
import io.pollster.cdc.CdcProjectorConfiguration;
import io.pollster.core.ServiceDefaults;
import io.pollster.jobs.JobsConfiguration;
import io.pollster.live.LiveGatewayConfiguration;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Import;

/** Pollster in one JVM: {@code java -jar standalone/target/pollster.jar}. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({
    WriteApiConfiguration.class,
    CdcProjectorConfiguration.class,
    LiveGatewayConfiguration.class,
    JobsConfiguration.class
})
public class PollsterApplication {

    public static void main(String[] args) {
        new SpringApplicationBuilder(PollsterApplication.class)
                .properties(ServiceDefaults.of("pollster", 8080))
                .run(args);
    }
}
