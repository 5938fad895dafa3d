package io.pollster.core.identity;

import io.pollster.core.poll.PollDefinitions;
import io.pollster.core.poll.Voters;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The voter id of an anonymous voter (docs/api.md "Polls", {@code voters}): the UUID that stands for a
 * device ({@code X-Device-Id}) or a client address wherever a user id stands for a user, in the vote
 * script's voter sets and in {@code responses.user_id}, so anonymous votes are told apart by the same
 * Lua check and the same PostgreSQL {@code UNIQUE} constraint as users' votes.
 *
 * <p>The id is HMAC-SHA256 under a server-side secret ({@code pollster.identity.anonymous-secret}) of
 * {@code <mode>:<value>}, folded into a version-8 UUID (RFC 9562 "custom"). A plain hash would let
 * anyone who reads the database find the address behind an id by hashing the few billion IPv4
 * addresses; without the secret that is not possible. The mode is part of the message, so a device id
 * and an address never share a voter id. Every instance of a deployment must use the same secret, or
 * one client would count as a different voter on each instance.
 */
public final class VoterIds {

    /** The header an anonymous client sends its device id in: a UUID it keeps (e.g. in a cookie). */
    public static final String DEVICE_HEADER = "X-Device-Id";

    /** The shortest secret accepted: HMAC-SHA256's own key size. */
    public static final int MIN_SECRET_BYTES = 32;

    private static final String HMAC = "HmacSHA256";

    private final SecretKeySpec key;

    /**
     * @param secret at least {@link #MIN_SECRET_BYTES} bytes of UTF-8
     * @throws IllegalArgumentException when the secret is shorter
     */
    public VoterIds(String secret) {
        byte[] bytes = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "pollster.identity.anonymous-secret must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(bytes, HMAC);
        mac(); // fail now, not on the first vote, if the JVM lacks HMAC-SHA256
    }

    /**
     * The voter id of a request on a poll whose voters are {@code voters}: the user in a {@code user}
     * poll, the id of the {@link #DEVICE_HEADER} value in a {@code device} poll, of the client address
     * in an {@code ip} poll. Empty when the request has none (no user; no or a malformed device id).
     *
     * @param deviceIdHeader the request's {@link #DEVICE_HEADER}, or null
     * @param clientAddress the request's client address: {@code getRemoteAddr()}, which names the
     *     client behind a trusted proxy only (core's server defaults)
     */
    public Optional<UUID> voterOf(Voters voters, Optional<UUID> user, String deviceIdHeader, String clientAddress) {
        return switch (voters) {
            case USER -> user;
            case DEVICE -> parseDeviceId(deviceIdHeader).map(this::ofDevice);
            case IP -> ofAddress(clientAddress);
        };
    }

    /** The voter id of the device that sent {@code deviceId} in {@link #DEVICE_HEADER}. */
    public UUID ofDevice(UUID deviceId) {
        return derive("device", deviceId.toString());
    }

    /** The voter id of a client address; IPv6 scopes are ignored, IPv4-mapped IPv6 is the IPv4 address. */
    public UUID ofAddress(InetAddress address) {
        return derive("ip", normalise(address).getHostAddress());
    }

    /**
     * The voter id of a client address given as text, as {@code HttpServletRequest.getRemoteAddr()}
     * reports it. Empty when the text is not an IP address literal: it is never resolved by DNS.
     */
    public Optional<UUID> ofAddress(String address) {
        return parseAddress(address).map(this::ofAddress);
    }

    /** The device id of an {@link #DEVICE_HEADER} value: a UUID in its canonical form, else empty. */
    public static Optional<UUID> parseDeviceId(String header) {
        return header == null ? Optional.empty() : PollDefinitions.parseUuid(header.trim());
    }

    /**
     * An IP address literal (IPv4 dotted quad, or IPv6 with or without brackets and zone), without any
     * name lookup; empty for anything else.
     */
    static Optional<InetAddress> parseAddress(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String literal = text.trim();
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        if (literal.indexOf(':') >= 0) {
            int zone = literal.indexOf('%');
            if (zone >= 0) {
                literal = literal.substring(0, zone);
            }
            if (literal.isEmpty() || !literal.chars().allMatch(VoterIds::isIpv6Character)) {
                return Optional.empty();
            }
            try {
                // in brackets the JDK parses an IPv6 literal or throws; it never looks a name up
                return Optional.of(normalise(InetAddress.getByName("[" + literal + "]")));
            } catch (UnknownHostException notAnAddress) {
                return Optional.empty();
            }
        }
        return parseIpv4(literal);
    }

    private static boolean isIpv6Character(int c) {
        return c == ':' || c == '.' || Character.digit(c, 16) >= 0;
    }

    /** Exactly four decimal octets: the JDK would send anything else it cannot parse to DNS. */
    private static Optional<InetAddress> parseIpv4(String literal) {
        String[] parts = literal.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Optional.empty();
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                return Optional.empty();
            }
            bytes[i] = (byte) octet;
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException("four bytes are an IPv4 address", impossible);
        }
    }

    /** Without scope or host name, IPv4-mapped IPv6 as IPv4: one address, one text. */
    private static InetAddress normalise(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 16 && isIpv4Mapped(bytes)) {
            bytes = new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
        }
        try {
            return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException("an address's own bytes are an address", impossible);
        }
    }

    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }

    private UUID derive(String mode, String value) {
        byte[] digest = mac().doFinal((mode + ":" + value).getBytes(StandardCharsets.UTF_8));
        // RFC 9562 5.8: version 8 in the high nibble of octet 6, variant 10 in the top bits of octet 8
        digest[6] = (byte) ((digest[6] & 0x0f) | 0x80);
        digest[8] = (byte) ((digest[8] & 0x3f) | 0x80);
        ByteBuffer bytes = ByteBuffer.wrap(digest, 0, 16);
        return new UUID(bytes.getLong(), bytes.getLong());
    }

    /** A new Mac per use: a Mac is not thread-safe, and one costs far less than the vote it serves. */
    private Mac mac() {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
        }
    }
}
