package io.closedloop.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Set;

/**
 * The development RS256 key pair: generated on first use into a local, git-ignored directory
 * (never committed), then reused so that tokens stay valid across restarts.
 */
public final class DevKeys {

    private final Path directory;

    private DevKeys(Path directory) {
        this.directory = directory;
    }

    /** Loads the key pair from {@code directory}, generating it first if it is not there. */
    public static synchronized DevKeys in(Path directory) {
        try {
            Files.createDirectories(directory);
            DevKeys keys = new DevKeys(directory);
            if (!Files.exists(keys.privateKeyFile()) || !Files.exists(keys.publicKeyFile())) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                KeyPair pair = generator.generateKeyPair();
                Path privateTmp = Files.createTempFile(directory, "private", ".tmp");
                Files.writeString(privateTmp, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
                trySetOwnerOnly(privateTmp);
                Files.writeString(keys.publicKeyFile(), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
                // The private key appears last and atomically: a concurrent reader sees a complete pair.
                Files.move(privateTmp, keys.privateKeyFile(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A service's privacy secret (closedloop.privacy.key: keyed hashes of erased identifiers, person ids), generated on
     * first use next to the key pair and reused, so tombstones and person ids hold across restarts.
     */
    public String privacyKey(String service) {
        Path file = directory.resolve(service + "-privacy.key");
        try {
            synchronized (DevKeys.class) {
                if (!Files.exists(file)) {
                    byte[] secret = new byte[33];
                    new java.security.SecureRandom().nextBytes(secret);
                    Path tmp = Files.createTempFile(directory, "privacy", ".tmp");
                    Files.writeString(tmp, Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
                    trySetOwnerOnly(tmp);
                    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            }
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path publicKeyFile() {
        return directory.resolve("public.pem");
    }

    public Path privateKeyFile() {
        return directory.resolve("private.pem");
    }

    public PrivateKey privateKey() {
        try {
            String pem = Files.readString(privateKeyFile());
            String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + privateKeyFile(), e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void trySetOwnerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, Set.copyOf(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: the directory's own permissions have to do.
        }
    }
}
