/**
 * The write side of Pollster: the REST API for polls and votes ({@code /api/**}), the vote Lua
 * script that makes the duplicate check and the enqueue atomic, and the stream ingester that writes
 * accepted votes into PostgreSQL exactly once.
 */
package io.pollster.api;
