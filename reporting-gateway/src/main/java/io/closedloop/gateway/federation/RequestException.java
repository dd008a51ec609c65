package io.closedloop.gateway.federation;

/** The request cannot run as sent (no such operation, a limit exceeded): a GraphQL request error, no data. */
public class RequestException extends RuntimeException {

    private final String code;
    private final boolean badRequest;

    public RequestException(String message, String code) {
        this(message, code, false);
    }

    /** {@code badRequest}: answered 400 whatever the client accepts (the request names no operation to run, as Apollo Server answers). */
    public RequestException(String message, String code, boolean badRequest) {
        super(message);
        this.code = code;
        this.badRequest = badRequest;
    }

    public boolean badRequest() {
        return badRequest;
    }

    /** The error's {@code extensions.code}. */
    public String code() {
        return code;
    }
}
