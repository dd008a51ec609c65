package io.closedloop.gateway.federation;

/** The request cannot run as sent (no such operation, a limit exceeded): a GraphQL request error, no data. */
public class RequestException extends RuntimeException {

    private final String code;

    public RequestException(String message) {
        this(message, "BAD_REQUEST");
    }

    public RequestException(String message, String code) {
        super(message);
        this.code = code;
    }

    /** The error's {@code extensions.code}. */
    public String code() {
        return code;
    }
}
