package io.closedloop.ingestion.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Ingestion's own settings ({@code closedloop.ingestion.*}; environment: {@code CLOSEDLOOP_INGESTION_*}). */
@ConfigMapping(prefix = "closedloop.ingestion")
public interface IngestionConfig {

    /** The Segment HTTP Tracking API. */
    Segment segment();

    /** CSV imports. */
    Imports imports();

    /** Erasure jobs. */
    Erasure erasure();

    interface Erasure {
        /** Rows deleted per transaction: each commits in well under a second, so no feed is held back (DESIGN §8). */
        @WithDefault("2000")
        int chunkSize();
    }

    interface Segment {
        /** Largest message, in bytes after decompression (Segment's limit: 32 KB). */
        @WithDefault("32768")
        int maxMessageBytes();

        /** Largest request body, in bytes after decompression (Segment's limit: 500 KB). */
        @WithDefault("512000")
        int maxRequestBytes();

        /** How long a write key lookup is cached; a key revoked on another replica is refused after at most this long. */
        @WithDefault("10s")
        Duration writeKeyCacheTtl();

        /**
         * Sustained messages per second one workspace may send (all its write keys together, on this replica) before it gets
         * 429 with Retry-After: what keeps one workspace's flood from slowing another's. Each message accepted also costs
         * identity and attribution their work; on the 2-core reference machine the whole pipeline sustains about 5,000
         * messages/s, so the default keeps a workspace at its limit to about a fifth of it. A busy site sends a few hundred a
         * second at its peaks; raise it for a backfill.
         */
        @WithDefault("1000")
        double rateLimitPerSecond();

        /** Messages a workspace may send in a burst above its sustained rate. */
        @WithDefault("10000")
        double rateLimitBurst();

        /** Case-insensitive regular expressions: a track call whose event name matches one is a form fill. */
        @WithDefault("form submitted,form submit,.*form submitted,signed up,sign up,demo requested,.*demo request.*,contact request.*,lead created,trial started,.*form fill.*")
        List<String> formFillEvents();

        /**
         * Where the project settings served at {@code GET /v1/projects/{writeKey}/settings} point analytics.js: this
         * service's public address (never taken from a request's Host header, which the caller controls).
         */
        @WithDefault("http://localhost:8180")
        String publicUrl();
    }

    interface Imports {
        /** Where uploads are spooled before they are parsed (bounded memory for any file size). */
        @WithDefault("${java.io.tmpdir}")
        String spoolDirectory();

        /** Largest upload in bytes (spooled to disk: at most this times the imports running and queued). */
        @WithDefault("1073741824")
        long maxUploadBytes();

        /** An import commits a chunk at least this often, so it never holds back the feeds for long (DESIGN §8). */
        @WithDefault("1s")
        Duration commitInterval();

        /** Most rows in one chunk. */
        @WithDefault("5000")
        int maxChunkRows();

        /** How many rejected rows a job keeps with their errors (the count is always exact). */
        @WithDefault("100")
        int maxErrorsKept();

        /**
         * Imports that run at the same time; more wait their turn. Above {@code max-per-workspace}, so one workspace's
         * imports never hold every slot.
         */
        @WithDefault("4")
        int concurrency();

        /** Imports that may wait for a free slot (on this replica); one more is refused with 429. */
        @WithDefault("8")
        int maxQueued();

        /** Imports of one workspace running or waiting at once (on this replica); one more is refused with 429. */
        @WithDefault("2")
        int maxPerWorkspace();

        /**
         * Rows per second one workspace's imports may store on this replica, sustained: past it an import pauses after its
         * chunk until the workspace is within its rate again, so one workspace's uploads do not slow another's writes.
         */
        @WithDefault("5000")
        double rowsPerSecond();

        /** How often this replica marks the jobs it has accepted and not ended (waiting or running) alive. */
        @WithDefault("30s")
        Duration heartbeatInterval();

        /** A RUNNING job whose heartbeat is older than this was interrupted (its process died): it shows FAILED. */
        @WithDefault("2m")
        Duration staleAfter();

        /** Rows a workspace's imports may store at once above that rate. */
        @WithDefault("20000")
        double rowsBurst();
    }
}
