package io.closedloop.ingestion;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Ignore;

import java.time.OffsetDateTime;

/** A Segment write key (table write_key): the HTTP Basic user name tracking libraries send; it can only write events to its workspace. */
@Description("A Segment write key of the caller's workspace. Tracking libraries send it as the HTTP Basic user name.")
public class WriteKey {

    @org.eclipse.microprofile.graphql.Id
    public Long id;

    @Ignore
    public String workspaceId;

    @Description("A name to tell keys apart, e.g. the site or app that uses it.")
    public String name;

    @Description("The key itself.")
    public String key;

    public OffsetDateTime createdAt;

    @Description("When the key was revoked; null while it is active. A revoked key gets 401.")
    public OffsetDateTime revokedAt;
}
