package io.closedloop.identity.graph;

/**
 * An identifier in the working set.
 *
 * @param firstSeq      the sequence of the first fact that named it (orders "earliest" for the person id)
 * @param quarantined   tripped the explosion guard: it no longer joins anything
 * @param personsJoined how many persons it would have joined when quarantined, else 0
 */
public record Node(Identifier identifier, long firstSeq, boolean quarantined, int personsJoined) {
}
