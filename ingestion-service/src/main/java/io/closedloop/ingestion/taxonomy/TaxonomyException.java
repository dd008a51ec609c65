package io.closedloop.ingestion.taxonomy;

/** A channel taxonomy that cannot be used; the message names the rule index and field ({@code rules[3].medium: ...}). */
public class TaxonomyException extends IllegalArgumentException {

    public TaxonomyException(String message) {
        super(message);
    }
}
