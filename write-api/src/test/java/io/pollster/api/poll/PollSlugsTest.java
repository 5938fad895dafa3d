package io.pollster.api.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PollSlugsTest {

    private final PollSlugs slugs = new PollSlugs(new Random(7));

    @Test
    void slugIsTheTitleInLowerCaseWordsWithARandomSuffix() {
        assertThat(slugs.of("Best editor?", 0)).matches("best-editor-[a-z0-9]{4}");
    }

    @Test
    void accentsAreDroppedAndOtherCharactersBecomeDashes() {
        assertThat(PollSlugs.base("Café über alles: 2026 / édition")).isEqualTo("cafe-uber-alles-2026-edition");
    }

    @Test
    void titleWithoutLettersOrDigitsGivesPoll() {
        assertThat(PollSlugs.base("🗳🗳 ?!")).isEqualTo("poll");
    }

    @Test
    void longTitlesAreCutAtAWordBoundaryCharacter() {
        String base = PollSlugs.base("a".repeat(47) + " bcdef");
        assertThat(base).hasSizeLessThanOrEqualTo(48).doesNotEndWith("-");
    }

    @Test
    void everyRetryMakesTheSuffixLonger() {
        assertThat(slugs.of("t", 1)).matches("t-[a-z0-9]{6}");
        assertThat(slugs.of("t", 2)).matches("t-[a-z0-9]{8}");
    }
}
