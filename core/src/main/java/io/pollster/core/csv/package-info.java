/**
 * CSV as Pollster writes it everywhere (the archive's {@code responses.csv}, the API's exports): one
 * RFC 4180 writer, and the one streaming query of a poll's responses.
 */
package io.pollster.core.csv;
