package io.pollster.api.problem;

/**
 * One entry of a validation problem's {@code errors}.
 *
 * @param field the JSON path of the offending value, in the request's own names
 *     ({@code questions[0].choices[1]})
 * @param message what is wrong with it
 */
public record InvalidField(String field, String message) {}
