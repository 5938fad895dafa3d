/** The vote stream's entry format, shared by its writer (write-api) and anyone reading it. */
package io.pollster.core.vote;
