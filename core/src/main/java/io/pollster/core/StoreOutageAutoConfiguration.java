package io.pollster.core;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;

/** Every servlet service answers a request that found PostgreSQL or Redis out of reach with 503. */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class StoreOutageAutoConfiguration {

    @Bean
    StoreOutageResolver pollsterStoreOutageResolver() {
        return new StoreOutageResolver();
    }
}
