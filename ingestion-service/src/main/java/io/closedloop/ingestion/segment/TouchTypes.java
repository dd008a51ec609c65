package io.closedloop.ingestion.segment;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A touch's type from its call and event name (docs/feeds.md): page → PAGE_VIEW, screen →
 * SCREEN_VIEW, a track call whose event matches a form-fill pattern → FORM_FILL, a few
 * conventional event names → EMAIL_CLICK, AD_CLICK, WEBINAR, EVENT, CALL, DIRECT_MAIL,
 * SALES_OUTREACH, HOW_DID_YOU_HEAR; any other track call → TRACK. Matching is case-insensitive
 * on the whole (trimmed) event name.
 */
public final class TouchTypes {

    public static final List<String> ALL = List.of("PAGE_VIEW", "SCREEN_VIEW", "FORM_FILL", "EMAIL_CLICK", "AD_CLICK", "WEBINAR",
            "EVENT", "CALL", "DIRECT_MAIL", "SALES_OUTREACH", "HOW_DID_YOU_HEAR", "TRACK");

    private static final String[][] BUILT_IN = {
            {"EMAIL_CLICK", "email (link )?click(ed)?|clicked (an )?email( link)?|email link clicked"},
            {"AD_CLICK", "ad click(ed)?|clicked (an )?ad"},
            {"WEBINAR", "webinar( (registered|attended|joined|registration|watched))?|(registered for|attended|joined) (a )?webinar"},
            {"EVENT", "(event|conference|trade ?show|booth|meetup)( (attended|visited|registered|visit|scan(ned)?))?|attended (an )?(event|conference)"},
            {"CALL", "(phone )?call( (completed|made|received|booked|scheduled|held))?"},
            {"DIRECT_MAIL", "direct mail( (sent|delivered|received|responded))?"},
            {"SALES_OUTREACH", "sales outreach|outreach( (sent|replied))?|sales (email|sequence)( (sent|replied))?"},
            {"HOW_DID_YOU_HEAR", "how did you hear( about us)?.*"}};

    private final List<Pattern> formFill;
    private final List<Pattern> builtIn = new ArrayList<>();

    /** @param formFillPatterns case-insensitive regular expressions for form-fill event names */
    public TouchTypes(List<String> formFillPatterns) {
        this.formFill = formFillPatterns.stream().map(p -> Pattern.compile(p.strip(), Pattern.CASE_INSENSITIVE)).toList();
        for (String[] entry : BUILT_IN) {
            builtIn.add(Pattern.compile(entry[1], Pattern.CASE_INSENSITIVE));
        }
    }

    public String ofTrack(String event) {
        String e = event == null ? "" : event.strip();
        for (Pattern p : formFill) {
            if (p.matcher(e).matches()) {
                return "FORM_FILL";
            }
        }
        for (int i = 0; i < BUILT_IN.length; i++) {
            if (builtIn.get(i).matcher(e).matches()) {
                return BUILT_IN[i][0];
            }
        }
        return "TRACK";
    }

    public boolean isFormFill(String event) {
        return "FORM_FILL".equals(ofTrack(event));
    }
}
