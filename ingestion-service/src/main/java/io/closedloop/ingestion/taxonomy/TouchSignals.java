package io.closedloop.ingestion.taxonomy;

import java.util.Map;

/**
 * What a touch says about where it came from, raw: UTMs as given (from {@code context.campaign}
 * or the page URL's query), the referrer URL, the page URL and the click ids it carries.
 */
public record TouchSignals(String utmSource, String utmMedium, String utmCampaign, String utmContent, String utmTerm,
                           String referrer, String pageUrl, Map<String, String> clickIds) {

    /** A touch known only by its UTMs (offline touches, spend). */
    public static TouchSignals ofUtm(String source, String medium, String campaign) {
        return new TouchSignals(source, medium, campaign, null, null, null, null, Map.of());
    }
}
