package io.closedloop.ingestion.taxonomy;

/**
 * A touch's channel and its normalized UTMs. {@code source} and {@code medium} are the UTMs when
 * given, else derived as GA4 does: from a click id ({@code gclid} → google / cpc) or the referrer
 * ({@code www.google.com} → google / organic, any other site → its host / referral).
 * {@code utmValid} is false when the touch has UTMs that break the taxonomy: source or medium
 * missing, or no rule but a catch-all maps them.
 */
public record Classification(String channel, String source, String medium, String campaign, String content, String term,
                             boolean utmValid) {
}
