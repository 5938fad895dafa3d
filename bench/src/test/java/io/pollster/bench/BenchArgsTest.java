package io.pollster.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchArgsTest {

    @Test
    void takesEveryFormTheBenchmarksUsedToSpell() {
        BenchArgs args = BenchArgs.parse(
                "--seconds=15", "--viewers", "10000", "rate=1000", "--keep-data", "--server-args=--a=1 --b=2");

        assertThat(args.integer("seconds", 0)).isEqualTo(15);
        assertThat(args.integer("viewers", 0)).isEqualTo(10_000);
        assertThat(args.integer("rate", 0)).isEqualTo(1000);
        assertThat(args.flag("keep-data")).isTrue();
        assertThat(args.string("server-args", "")).isEqualTo("--a=1 --b=2");
        assertThat(args.integer("warmup", 5)).isEqualTo(5);
        assertThat(args.has("base")).isFalse();
    }

    @Test
    void aFlagBeforeAnotherOptionIsTrueAndDoesNotSwallowIt() {
        BenchArgs args = BenchArgs.parse("--keep-data", "--seconds", "3");

        assertThat(args.flag("keep-data")).isTrue();
        assertThat(args.integer("seconds", 0)).isEqualTo(3);
    }

    @Test
    void refusesWhatIsNoOptionAndNumbersThatAreNot() {
        assertThatThrownBy(() -> BenchArgs.parse("15")).hasMessageContaining("unexpected argument '15'");
        assertThatThrownBy(() -> BenchArgs.parse("--seconds=ten").integer("seconds", 1))
                .hasMessageContaining("--seconds must be a whole number");
    }

    @Test
    void aStartedServerAddsItsAddressesWithoutChangingTheRest() {
        BenchArgs args = BenchArgs.parse("--seconds=3").with(Map.of("base", "http://localhost:1"));

        assertThat(args.string("base", null)).isEqualTo("http://localhost:1");
        assertThat(args.integer("seconds", 0)).isEqualTo(3);
    }
}
