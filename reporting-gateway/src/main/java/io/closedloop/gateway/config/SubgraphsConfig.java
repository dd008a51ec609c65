package io.closedloop.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Where the gateway finds the three subgraphs (DESIGN §9), and how it calls them. */
@ConfigMapping(prefix = "closedloop")
public interface SubgraphsConfig {

    /** ingestion-service's subgraph. */
    Service ingestion();

    /** identity-service's subgraph. */
    Service identity();

    /** attribution-service's subgraph. */
    Service attribution();

    /** How long a subgraph call may take before the gateway answers with an error. */
    Duration subgraphTimeout();

    /**
     * Connections the gateway keeps open to each subgraph; requests beyond it wait for a free one
     * (within the timeout). Vert.x's default of 5 queued 20 concurrent report requests.
     */
    @WithDefault("50")
    int subgraphPoolSize();

    /** The gateway's answer cache (service/AnswerCache). */
    AnswerCacheConfig answerCache();

    interface AnswerCacheConfig {
        /**
         * Most bytes of answers kept (their JSON), least recently used out first; 0 turns the cache off. An answer is served
         * again only while every subgraph that contributed to it reports the same data version.
         */
        @WithDefault("33554432")
        long maxBytes();

        /**
         * Longest an answer is kept even while the versions hold: a few answers change with time alone (an import job
         * whose worker stopped is FAILED once its heartbeat is old enough, with no write).
         */
        @WithDefault("5m")
        Duration maxAge();
    }

    interface Service {
        /** Base URL, e.g. http://localhost:8180 (its GraphQL endpoint is {url}/graphql). */
        String url();
    }
}
