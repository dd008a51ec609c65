package io.closedloop.launcher.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** Renders a dataset's visits as the Segment messages a browser's analytics.js would send. */
public final class SegmentMessages {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SegmentMessages() {
    }

    /** A page call for a visit; for a form fill, a "Form Submitted" track call and an identify call as well. */
    public static List<ObjectNode> of(Dataset.Visit visit, String site) {
        List<ObjectNode> messages = new ArrayList<>(3);
        ObjectNode page = base(visit, visit.messageId(), site);
        page.put("type", "page");
        page.put("name", visit.path());
        messages.add(page);
        if (visit.formFill()) {
            ObjectNode track = base(visit, visit.messageId() + "-form", site);
            track.put("type", "track");
            track.put("event", "Form Submitted");
            track.putObject("properties").put("form", "demo-request").put("email", visit.email());
            ((ObjectNode) track.get("context")).putObject("traits").put("email", visit.email());
            messages.add(track);
            ObjectNode identify = JSON.createObjectNode();
            identify.put("type", "identify");
            identify.put("messageId", visit.messageId() + "-identify");
            identify.put("anonymousId", visit.anonymousId());
            identify.put("timestamp", visit.at().toString());
            identify.putObject("traits").put("email", visit.email());
            messages.add(identify);
        }
        return messages;
    }

    private static ObjectNode base(Dataset.Visit visit, String messageId, String site) {
        Dataset.Source source = visit.source();
        StringBuilder query = new StringBuilder();
        boolean utms = source.source() != null && visit.tracking() != Dataset.Tracking.CLICK_ID_ONLY;
        String campaign = source.campaign() == null ? null : Dataset.spelling(source.campaign(), Math.floorMod(messageId.hashCode(), 3));
        if (utms) {
            query.append("?utm_source=").append(source.source());
            if (visit.tracking() == Dataset.Tracking.MALFORMED) {
                query.append("&utm_medium=(not%20set)");
            } else if (visit.tracking() != Dataset.Tracking.NO_MEDIUM) {
                query.append("&utm_medium=").append(source.medium());
            }
            query.append("&utm_campaign=").append(campaign.replace(" ", "%20"));
            if (visit.content() != null) {
                query.append("&utm_content=").append(visit.content());
            }
        } else if (visit.tracking() == Dataset.Tracking.CLICK_ID_ONLY) {
            String name = switch (source.source()) {
                case "google" -> "gclid";
                case "facebook" -> "fbclid";
                default -> "li_fat_id";
            };
            query.append('?').append(name).append("=c").append(Integer.toHexString(messageId.hashCode()));
        }
        ObjectNode message = JSON.createObjectNode();
        message.put("messageId", messageId);
        message.put("anonymousId", visit.anonymousId());
        message.put("timestamp", visit.at().toString());
        ObjectNode context = message.putObject("context");
        ObjectNode page = context.putObject("page");
        page.put("url", "https://" + site + visit.path() + query);
        page.put("path", visit.path());
        page.put("search", query.toString());
        if (source.referrer() != null) {
            page.put("referrer", source.referrer());
        }
        context.putObject("library").put("name", "analytics.js").put("version", "closedloop-dataset");
        return message;
    }
}
