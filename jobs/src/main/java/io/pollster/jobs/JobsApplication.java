package io.pollster.jobs;

import io.pollster.core.ServiceDefaults;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Import;

/** jobs deployed on its own (port 8082). */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(JobsConfiguration.class)
public class JobsApplication {

    /** The port of jobs when deployed on its own (docs/api.md). */
    public static final int PORT = 8082;

    public static void main(String[] args) {
        new SpringApplicationBuilder(JobsApplication.class)
                .properties(ServiceDefaults.of("jobs", PORT))
                .run(args);
    }
}
