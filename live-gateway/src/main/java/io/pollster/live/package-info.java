/**
 * The live gateway: WebSocket ({@code /ws/polls/**}) and SSE ({@code /sse/polls/**}) fan-out of
 * results to viewers, with one Redis subscription per watched poll per node.
 */
package io.pollster.live;
