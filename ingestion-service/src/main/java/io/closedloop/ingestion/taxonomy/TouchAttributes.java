package io.closedloop.ingestion.taxonomy;

import java.util.Set;

/** The attributes of a touch the rules look at, already normalized. */
public record TouchAttributes(String source, String medium, String campaign, String content, String term,
                              String referrerHost, Set<String> clickIds, SourceCategory sourceCategory) {

    String value(ChannelRule.Attribute attribute) {
        return switch (attribute) {
            case SOURCE -> source;
            case MEDIUM -> medium;
            case CAMPAIGN -> campaign;
            case CONTENT -> content;
            case TERM -> term;
            case REFERRER_HOST -> referrerHost;
            case SOURCE_CATEGORY -> sourceCategory == null ? null : sourceCategory.name();
            case CLICK_ID -> throw new IllegalArgumentException("click ids are matched one by one");
        };
    }
}
