package io.pollster.core.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Lua scripts kept as {@code .lua} resources next to the code that runs them, read once into strings.
 * A {@link RedisScript} built from a resource re-checks the resource under a lock on every call, which
 * serialised every vote request behind one lock under load: build scripts from {@link #of} instead.
 */
public final class LuaScripts {

    private LuaScripts() {}

    /** The script {@code name}, a resource in the package of {@code owner}, ready for EVALSHA. */
    public static <T> RedisScript<T> of(Class<?> owner, String name, Class<T> resultType) {
        return RedisScript.of(source(owner, name), resultType);
    }

    /** The text of the script {@code name}, a resource in the package of {@code owner}. */
    public static String source(Class<?> owner, String name) {
        try {
            return new ClassPathResource(name, owner).getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " next to " + owner.getName(), e);
        }
    }

    /** The id Redis knows a script by, for EVALSHA on a client without Spring's script support. */
    public static String sha1(String source) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }
}
