package io.closedloop.plumbing.feed;

import io.quarkus.logging.Log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The service token a feed consumer sends: from a file when one is configured, re-read whenever the file changes (a
 * Kubernetes secret volume updated in place, the run command's re-minted token), so a token replaced before it expires
 * is used without a restart; else the configured value. Tokens have a maximum age (mp.jwt.verify.token.age).
 */
public final class ServiceToken implements Supplier<String> {

    private final String value;
    private final Path file;
    private volatile FileTime readAt;
    private volatile String read;

    private ServiceToken(String value, Path file) {
        this.value = value;
        this.file = file;
    }

    /** The token of {@code closedloop.service-token-file} when given, else of {@code closedloop.service-token}. */
    public static ServiceToken of(Optional<String> value, Optional<String> file) {
        return new ServiceToken(value.orElse(""), file.filter(f -> !f.isBlank()).map(Path::of).orElse(null));
    }

    @Override
    public String get() {
        if (file == null) {
            return value;
        }
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (!modified.equals(readAt)) {
                read = Files.readString(file, StandardCharsets.US_ASCII).strip();
                readAt = modified;
            }
        } catch (IOException e) {
            Log.warnf("service token file %s unreadable (%s); keeping the token read before", file, e.getMessage());
        }
        return read == null ? "" : read;
    }
}
