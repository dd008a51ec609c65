package io.closedloop.gateway.client;

/** A subgraph failed or answered with errors; the message names the subgraph and passes its errors on. */
public class SubgraphException extends RuntimeException {

    public SubgraphException(String message) {
        super(message);
    }
}
