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

/**
 * Pollster in one JVM: {@code java -jar standalone/target/pollster.jar}; {@code java -jar pollster.jar
 * token …} mints a development token instead ({@link DevelopmentTokenCommand}).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({
    WriteApiConfiguration.class,
    CdcProjectorConfiguration.class,
    LiveGatewayConfiguration.class,
    JobsConfiguration.class,
    EmbeddedServersSupervision.class
})
public class PollsterApplication {

    public static void main(String[] args) {
        if (args.length > 0 && DevelopmentTokenCommand.NAME.equals(args[0])) {
            System.exit(DevelopmentTokenCommand.run(args, System.getenv(), System.out, System.err));
        }
        new SpringApplicationBuilder(PollsterApplication.class)
                .properties(ServiceDefaults.of("pollster", 8080))
                .run(args);
    }
}
