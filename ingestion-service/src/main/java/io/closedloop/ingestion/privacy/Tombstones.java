package io.closedloop.ingestion.privacy;

import io.closedloop.plumbing.privacy.Hmac;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.function.BinaryOperator;

/**
 * Keyed hashes of erased identifiers (HMAC-SHA256 of {@code type:value}). Each workspace has its own key, derived from
 * ingestion's secret ({@code closedloop.privacy.key}), which no other service holds: a tombstone reveals nothing to
 * whoever reads the database without the secret, and cannot be matched across workspaces. The database computes the
 * same hash from the key's pads ({@code identifier_hmac}, V3) when a write checks its identifiers.
 */
public final class Tombstones {

    private static final int BLOCK = 64;

    private final byte[] secret;

    public Tombstones(String secret) {
        if (secret == null || secret.length() < 32) {
            throw new IllegalArgumentException("closedloop.privacy.key: give a secret of at least 32 characters");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** The workspace's HMAC key (32 bytes). */
    public byte[] key(String workspace) {
        return Hmac.sha256(secret, "tombstone\u0000" + workspace);
    }

    /** The workspace's hashing of emails and phones (its hashIdentifiers setting): keyed like the tombstones, for another purpose. */
    public IdentifierHashing hashing(String workspace) {
        return new IdentifierHashing(Hmac.sha256(secret, "identifier-hash\u0000" + workspace));
    }

    /** The tombstone of {@code type:value} in {@code workspace}, hex. */
    public String hash(String workspace, String type, String value) {
        return hasher(workspace).apply(type, value);
    }

    /** (type, value) → the tombstone, hex, with the workspace's key derived once: for hashing a batch. */
    public BinaryOperator<String> hasher(String workspace) {
        byte[] key = key(workspace);
        return (type, value) -> HexFormat.of().formatHex(Hmac.sha256(key, type + ":" + value));
    }

    /** One hash of a whole request (its identifiers as "type:value", in any order): the same request twice is one erasure. */
    public String requestHash(String workspace, Collection<String> keys) {
        return HexFormat.of().formatHex(Hmac.sha256(key(workspace), String.join("\n", new TreeSet<>(keys))));
    }

    /** The inner and outer pads of the workspace's key (RFC 2104): with them SQL computes the HMAC with sha256 alone. */
    public List<byte[]> pads(String workspace) {
        byte[] key = key(workspace);
        byte[] ipad = new byte[BLOCK];
        byte[] opad = new byte[BLOCK];
        for (int i = 0; i < BLOCK; i++) {
            byte k = i < key.length ? key[i] : 0;
            ipad[i] = (byte) (k ^ 0x36);
            opad[i] = (byte) (k ^ 0x5c);
        }
        return List.of(ipad, opad);
    }

}
