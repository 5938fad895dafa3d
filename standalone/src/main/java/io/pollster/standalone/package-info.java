/**
 * The whole of Pollster in one JVM on one port: every service module's configuration on embedded
 * PostgreSQL and Redis (or on external ones, when configured). The README's run command.
 */
package io.pollster.standalone;
