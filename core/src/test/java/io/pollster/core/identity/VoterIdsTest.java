package io.pollster.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VoterIdsTest {

    private static final String SECRET = "a-secret-of-more-than-thirty-two-bytes-for-tests";
    private static final UUID DEVICE = UUID.fromString("2b1c7d4e-8f3a-4b6c-9d0e-1f2a3b4c5d6e");

    private final VoterIds ids = new VoterIds(SECRET);

    @Test
    void anIdIsTheSameEveryTimeAndOnEveryInstanceWithTheSameSecret() {
        VoterIds otherInstance = new VoterIds(SECRET);

        assertThat(ids.ofDevice(DEVICE)).isEqualTo(ids.ofDevice(DEVICE)).isEqualTo(otherInstance.ofDevice(DEVICE));
        assertThat(ids.ofAddress("203.0.113.7")).isEqualTo(otherInstance.ofAddress("203.0.113.7"));
    }

    @Test
    void anIdIsTheHmacOfModeAndValueUnderTheSecretAsAVersion8Uuid() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] digest = mac.doFinal(("ip:203.0.113.7").getBytes(StandardCharsets.UTF_8));

        UUID id = ids.ofAddress("203.0.113.7").orElseThrow();

        assertThat(id.version()).isEqualTo(8);
        assertThat(id.variant()).isEqualTo(2);
        long high = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (digest[i] & 0xff);
        }
        // all of the digest's first 64 bits but the version nibble
        assertThat(id.getMostSignificantBits() & ~0xf000L).isEqualTo(high & ~0xf000L);
    }

    @Test
    void anotherSecretGivesOtherIds() {
        VoterIds other = new VoterIds(SECRET + "!");

        assertThat(other.ofDevice(DEVICE)).isNotEqualTo(ids.ofDevice(DEVICE));
        assertThat(other.ofAddress("203.0.113.7")).isNotEqualTo(ids.ofAddress("203.0.113.7"));
    }

    @Test
    void aDeviceAndAnAddressNeverShareAnIdNorDoesAnIdEqualTheDeviceId() {
        assertThat(ids.ofDevice(DEVICE)).isNotEqualTo(DEVICE);
        // the same text in both namespaces
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            UUID device = UUID.randomUUID();
            assertThat(seen.add(ids.ofDevice(device))).isTrue();
        }
        for (int i = 0; i < 1000; i++) {
            assertThat(seen.add(
                            ids.ofAddress("10.0." + (i / 256) + "." + (i % 256)).orElseThrow()))
                    .isTrue();
        }
    }

    @Test
    void oneIpv6AddressInAnyOfItsSpellingsIsOneVoter() {
        UUID id = ids.ofAddress("2001:db8::1").orElseThrow();

        assertThat(ids.ofAddress("2001:0db8:0000:0000:0000:0000:0000:0001")).contains(id);
        assertThat(ids.ofAddress("2001:DB8::1")).contains(id);
        assertThat(ids.ofAddress("[2001:db8::1]")).contains(id);
        assertThat(ids.ofAddress("2001:db8:0:0:0:0:0:1")).contains(id);
        assertThat(ids.ofAddress("fe80::1%eth0")).isEqualTo(ids.ofAddress("fe80::1"));
        assertThat(ids.ofAddress("2001:db8::2").orElseThrow()).isNotEqualTo(id);
    }

    @Test
    void anIpv4MappedIpv6AddressIsTheIpv4Address() throws Exception {
        UUID id = ids.ofAddress("192.0.2.33").orElseThrow();

        assertThat(ids.ofAddress("::ffff:192.0.2.33")).contains(id);
        assertThat(ids.ofAddress("::ffff:c000:221")).contains(id);
        assertThat(ids.ofAddress(InetAddress.getByName("192.0.2.33"))).isEqualTo(id);
        assertThat(ids.ofAddress(" 192.0.2.33 ")).contains(id);
    }

    @Test
    void loopbackInBothFamiliesIsTwoAddresses() {
        // Tomcat reports IPv6 loopback as 0:0:0:0:0:0:0:1: not 127.0.0.1, and that is right
        assertThat(ids.ofAddress("0:0:0:0:0:0:0:1")).isEqualTo(ids.ofAddress("::1"));
        assertThat(ids.ofAddress("::1")).isNotEqualTo(ids.ofAddress("127.0.0.1"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                "localhost",
                "example.org",
                "256.1.1.1",
                "1.2.3",
                "1.2.3.4.5",
                "01234.1.1.1",
                "1.2.3.-4",
                "2001:db8::zz",
                "2001:db8:::1",
                ":::",
                "[1.2.3.4",
                "abc"
            })
    void anythingButAnAddressLiteralHasNoIdAndIsNeverLookedUp(String text) {
        assertThat(ids.ofAddress(text)).isEmpty();
    }

    @Test
    void aDeviceIdIsACanonicalUuid() {
        assertThat(VoterIds.parseDeviceId(DEVICE.toString())).contains(DEVICE);
        assertThat(VoterIds.parseDeviceId(" " + DEVICE + " ")).contains(DEVICE);
        assertThat(VoterIds.parseDeviceId(DEVICE.toString().toUpperCase())).contains(DEVICE);
        assertThat(VoterIds.parseDeviceId(null)).isEmpty();
        assertThat(VoterIds.parseDeviceId("")).isEmpty();
        assertThat(VoterIds.parseDeviceId("1-1-1-1-1")).isEmpty();
        assertThat(VoterIds.parseDeviceId("not-a-uuid-at-all-but-thirty-six-chr"))
                .isEmpty();
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> new VoterIds("short"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pollster.identity.anonymous-secret");
        assertThatThrownBy(() -> new VoterIds(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
