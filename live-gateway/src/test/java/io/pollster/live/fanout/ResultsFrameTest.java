package io.pollster.live.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import io.pollster.core.json.PollsterJson;
import io.pollster.core.results.Results;
import io.pollster.core.results.ResultsMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ResultsFrameTest {

    @Test
    void textFrameUsesTheShortestLengthEncodingAndKeepsThePayload() {
        assertFrame(125, 2);
        assertFrame(126, 4);
        assertFrame(65_535, 4);
        assertFrame(65_536, 10);
    }

    @Test
    void viewersAreSplicedIntoTheSerializedMessageAsItsLastField() {
        UUID poll = UUID.randomUUID();
        ResultsFrame frame =
                ResultsFrame.of(ResultsMessage.of(new Results(poll, 2, false, 2, List.of())), System.nanoTime());

        ResultsFrame stamped = frame.withViewers(12_345, 1, false);

        String json = new String(stamped.json(), StandardCharsets.UTF_8);
        String spliced = json.substring(0, json.length() - 1) + ",\"viewers\":12345}";
        assertThat(PollsterJson.mapper().readTree(spliced).get("viewers").asLong())
                .isEqualTo(12_345);
        assertThat(stamped.sse())
                .isEqualTo(("event: results\ndata: " + spliced + "\n\n").getBytes(StandardCharsets.UTF_8));
        assertThat(stamped.webSocket()).isEqualTo(ResultsFrame.textFrame(spliced.getBytes(StandardCharsets.UTF_8)));
        assertThat(frame.withViewers(12_345, 1, false)
                        .withViewers(12_345, 1, false)
                        .sse())
                .isEqualTo(stamped.sse());
        assertThat(stamped.withViewers(12_345, 1, false)).isSameAs(stamped);
    }

    @Test
    void aNewerViewerFigureSupersedesTheSameVersionButNeverAnOlderVersionOrTheClose() {
        UUID poll = UUID.randomUUID();
        ResultsFrame v2 = ResultsFrame.of(
                        ResultsMessage.of(new Results(poll, 2, false, 2, List.of())), System.nanoTime())
                .withViewers(3, 1, false);
        ResultsFrame v2Closed = ResultsFrame.of(
                        ResultsMessage.of(new Results(poll, 2, true, 2, List.of())), System.nanoTime())
                .withViewers(3, 1, false);
        ResultsFrame v1 = ResultsFrame.of(
                        ResultsMessage.of(new Results(poll, 1, false, 1, List.of())), System.nanoTime())
                .withViewers(4, 2, false);

        assertThat(v2.withViewers(4, 2, false).supersedes(v2)).isTrue();
        assertThat(v2.supersedes(v2.withViewers(4, 2, false))).isFalse();
        assertThat(v2.withViewers(3, 1, false).supersedes(v2)).as("a repeat").isFalse();
        assertThat(v1.supersedes(v2)).as("versions never go backwards").isFalse();
        assertThat(v2.withViewers(9, 5, false).supersedes(v2Closed)).isFalse();
        assertThat(v2Closed.withViewers(9, 5, false).supersedes(v2Closed)).isTrue();
    }

    @Test
    void theHiddenShapeKeepsTotalVotesAndViewersAndHasNoQuestionsAndAClosedMessageHasNone() {
        UUID poll = UUID.randomUUID();
        Results results = new Results(
                poll,
                5,
                false,
                4,
                List.of(new Results.QuestionResults(
                        UUID.randomUUID(), 4, List.of(new Results.ChoiceCount(UUID.randomUUID(), 5)))));
        ResultsFrame frame =
                ResultsFrame.of(ResultsMessage.of(results), System.nanoTime()).withViewers(8, 1, true);

        String event = new String(frame.forViewer(false).sse(), StandardCharsets.UTF_8);
        tools.jackson.databind.JsonNode hidden =
                PollsterJson.mapper().readTree(event.substring("event: results\ndata: ".length(), event.length() - 2));
        assertThat(hidden.propertyNames())
                .containsExactly("type", "poll_id", "version", "closed", "total_votes", "results_hidden", "viewers");
        assertThat(hidden.get("results_hidden").asBoolean()).isTrue();
        assertThat(hidden.get("total_votes").asLong()).isEqualTo(4);
        assertThat(hidden.get("version").asLong()).isEqualTo(5);
        assertThat(hidden.get("viewers").asLong()).isEqualTo(8);
        assertThat(frame.forViewer(true)).isSameAs(frame);
        assertThat(new String(frame.sse(), StandardCharsets.UTF_8))
                .contains("\"questions\"")
                .doesNotContain("results_hidden");

        ResultsFrame closed = ResultsFrame.of(
                        ResultsMessage.of(new Results(poll, 5, true, 4, results.questions())), System.nanoTime())
                .withViewers(8, 1, true);
        assertThat(closed.hidden())
                .as("the closing message carries full counts to everyone")
                .isNull();
        assertThat(closed.forViewer(false)).isSameAs(closed);
    }

    private static void assertFrame(int length, int header) {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 'x');

        byte[] frame = ResultsFrame.textFrame(payload);

        assertThat(frame).hasSize(header + length);
        assertThat(frame[0] & 0xFF).as("FIN + text").isEqualTo(0x81);
        long encoded =
                switch (header) {
                    case 2 -> frame[1];
                    case 4 -> ((frame[2] & 0xFF) << 8) | (frame[3] & 0xFF);
                    default -> {
                        long value = 0;
                        for (int i = 2; i < 10; i++) {
                            value = (value << 8) | (frame[i] & 0xFF);
                        }
                        yield value;
                    }
                };
        assertThat(encoded).isEqualTo(length);
        assertThat(frame[1] & 0x80).as("server frames are not masked").isZero();
        assertThat(Arrays.copyOfRange(frame, header, frame.length)).isEqualTo(payload);
    }
}
