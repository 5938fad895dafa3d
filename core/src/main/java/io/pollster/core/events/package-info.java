/**
 * Stream event records. Their field names, in snake_case, are the stream entry fields of docs/design.md's key
 * schema.
 */
package io.pollster.core.events;
