package io.pollster.api.problem;

import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.module.SimpleModule;

/**
 * Refuses a control character (NUL included) in any string of a JSON request body, wherever it sits:
 * docs/api.md allows none in any text, and PostgreSQL cannot store a NUL at all, so letting one through would
 * turn bad input into a 500. JSON itself forbids raw control characters; this catches the escaped ones
 * ({@code \u0000}) as the string is read, before any code sees it, and {@link ApiProblemHandler} answers
 * 400 {@code validation} with the field's JSON path.
 */
@Component
class ControlCharacters extends SimpleModule {

    ControlCharacters() {
        super("pollster-control-characters");
        addDeserializer(String.class, new CheckedStringDeserializer());
    }

    /** The first control character of {@code text}, or -1 if it has none. */
    static int firstControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static final class CheckedStringDeserializer extends StringDeserializer {

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws JacksonException {
            String value = super.deserialize(parser, context);
            if (value != null) {
                int at = firstControlCharacter(value);
                if (at >= 0) {
                    throw new ControlCharacterException(parser, value.charAt(at));
                }
            }
            return value;
        }
    }

    /** Raised while reading the body; Jackson adds the path of the offending field as it unwinds. */
    static final class ControlCharacterException extends MismatchedInputException {

        private final char character;

        ControlCharacterException(JsonParser parser, char character) {
            super(parser, "a string contains the control character " + codePoint(character));
            this.character = character;
        }

        InvalidField invalidField() {
            return new InvalidField(path(), "must not contain control characters (found " + codePoint(character) + ")");
        }

        /** The JSON path, in the request's own names: {@code questions[0].choices[1]}. */
        private String path() {
            StringBuilder path = new StringBuilder();
            for (JacksonException.Reference reference : getPath()) {
                if (reference.getPropertyName() != null) {
                    if (!path.isEmpty()) {
                        path.append('.');
                    }
                    path.append(reference.getPropertyName());
                } else if (reference.getIndex() >= 0) {
                    path.append('[').append(reference.getIndex()).append(']');
                }
            }
            return path.isEmpty() ? "body" : path.toString();
        }

        private static String codePoint(char character) {
            return String.format("U+%04X", (int) character);
        }
    }
}
