package io.closedloop.launcher.testing;

import io.closedloop.launcher.DevKeys;
import io.closedloop.launcher.DevTokens;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The key pair of a test run (in the module's {@code target/test-keys}) and tokens signed with it. */
public final class TestKeys {

    /** The services' privacy secret in tests (closedloop.privacy.key): fixed, so person ids are stable between test runs. */
    public static final String PRIVACY_KEY = "test-privacy-key-not-for-production-0123456789";

    private TestKeys() {
    }

    public static DevKeys keys() {
        return DevKeys.in(Path.of("target", "test-keys").toAbsolutePath());
    }

    /** A bearer token for {@code workspace} with {@code roles}, valid for an hour. */
    public static String token(String workspace, String... roles) {
        return DevTokens.of(keys()).mint("test-user", workspace, List.of(roles), Duration.ofHours(1));
    }

    /** A {@code service} token that may read the given feeds ({@code producer/stream}), valid for an hour. */
    public static String serviceToken(String... feeds) {
        return DevTokens.of(keys()).mintService("test-service", List.of(feeds), Duration.ofHours(1));
    }

    /** A consumer's own {@code service} token (subject {@code subject}, e.g. identity-service) for the given feeds. */
    public static String consumerToken(String subject, String... feeds) {
        return DevTokens.of(keys()).mintService(subject, List.of(feeds), Duration.ofHours(1));
    }

    /** A token signed with a key the services do not trust. */
    public static String foreignToken(String workspace, String... roles) {
        DevKeys other = DevKeys.in(Path.of("target", "foreign-test-keys").toAbsolutePath());
        return DevTokens.of(other).mint("intruder", workspace, List.of(roles), Duration.ofHours(1));
    }
}
