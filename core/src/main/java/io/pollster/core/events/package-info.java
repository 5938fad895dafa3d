/**
 * Stream event records. Their field names, in snake_case, are the stream entry fields of DESIGN.md's key
 * schema.
 */
package io.pollster.core.events;
