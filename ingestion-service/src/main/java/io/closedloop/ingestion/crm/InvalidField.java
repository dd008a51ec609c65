package io.closedloop.ingestion.crm;

/** An item's field breaks a rule: the item is rejected naming the field. */
public final class InvalidField extends RuntimeException {

    private final String field;

    public InvalidField(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
