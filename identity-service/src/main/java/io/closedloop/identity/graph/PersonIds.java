package io.closedloop.identity.graph;

import io.closedloop.plumbing.privacy.Hmac;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Person ids of one workspace: a keyed hash (HMAC-SHA256 under a key derived from identity's secret and the workspace) of
 * the person's earliest identifier. Stable across rebuilds (the same facts give the same ids, DESIGN §9), and not
 * reversible: without the secret nobody can compute the id of a guessed email, and ids do not match across workspaces.
 */
public final class PersonIds {

    private final byte[] key;

    private PersonIds(byte[] key) {
        this.key = key;
    }

    /** @param secret identity's {@code closedloop.privacy.key} (at least 32 characters) */
    public static PersonIds of(String secret, String workspace) {
        if (secret == null || secret.length() < 32) {
            throw new IllegalArgumentException("closedloop.privacy.key: give a secret of at least 32 characters");
        }
        return new PersonIds(Hmac.sha256(secret.getBytes(StandardCharsets.UTF_8), "person-id\u0000" + workspace));
    }

    /** The id of the person whose earliest identifier is {@code earliestKey} ("type:value"). */
    public String of(String earliestKey) {
        return "p_" + HexFormat.of().formatHex(Hmac.sha256(key, earliestKey), 0, 10);
    }

    /** The keyed hash of an identifier key, for tombstones. */
    public String tombstone(String key) {
        return HexFormat.of().formatHex(Hmac.sha256(this.key, "erased\u0000" + key));
    }

}
