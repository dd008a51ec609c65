package io.closedloop.attribution;

/** A report refused by a limit of on-demand work (concurrency, deadline, rows loaded); its message says which and what to do. */
public class OnDemandLimitException extends RuntimeException {

    public OnDemandLimitException(String message) {
        super(message);
    }
}
