package io.closedloop.ingestion.graphql;

import io.closedloop.ingestion.service.TaxonomyService;
import io.closedloop.ingestion.taxonomy.ChannelRule;
import io.closedloop.ingestion.taxonomy.ChannelTaxonomy;
import io.closedloop.ingestion.taxonomy.Classification;
import io.closedloop.ingestion.taxonomy.TouchSignals;
import io.closedloop.plumbing.tenancy.Caller;
import io.closedloop.plumbing.tenancy.Roles;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The workspace's channel taxonomy (DESIGN §3): read by analysts and admins, changed by admins. */
@GraphQLApi
public class TaxonomyApi {

    private final TaxonomyService taxonomies;
    private final Caller caller;

    public TaxonomyApi(TaxonomyService taxonomies, Caller caller) {
        this.taxonomies = taxonomies;
        this.caller = caller;
    }

    @Name("ChannelRule")
    @Description("One rule: the channel it assigns when all its conditions match. Each condition is a case-insensitive regular "
            + "expression that must match the whole value ('' matches an absent value); a rule without conditions matches every touch.")
    public record ChannelRuleDto(
            @NonNull String channel,
            @Description("The normalized UTM source, or the source derived from a click id or the referrer.") String source,
            String medium, String campaign, String content, String term,
            @Description("The referrer's host, e.g. www.g2.com.") String referrerHost,
            @Description("The name of a click id the touch carries: gclid, fbclid, li_fat_id, msclkid, ...") String clickId,
            @Description("SEARCH, SOCIAL, VIDEO or SHOPPING: the kind of site the source is.") String sourceCategory) {
    }

    @Name("ChannelRuleInput")
    @Description("A rule as an admin writes it; see ChannelRule.")
    public record ChannelRuleInput(String channel, String source, String medium, String campaign, String content, String term,
                                   String referrerHost, String clickId, String sourceCategory) {
    }

    @Name("ChannelTaxonomy")
    @Description("Ordered rules; the first that matches a touch assigns its channel, 'other' when none does.")
    public record TaxonomyDto(@NonNull List<@NonNull ChannelRuleDto> rules,
                              @Description("Every channel the rules can assign.") @NonNull List<@NonNull String> channels,
                              @Description("True while the workspace uses the built-in default (close to GA4's default channel grouping).") boolean usesDefault,
                              OffsetDateTime updatedAt) {
    }

    @Name("ChannelPreview")
    public record PreviewDto(@NonNull String channel, String source, String medium, String campaign, boolean utmValid) {
    }

    @Query
    @Description("The channel taxonomy of the caller's workspace (role admin or analyst).")
    public Uni<@NonNull TaxonomyDto> channelTaxonomy() {
        String workspace = caller.workspaceFor(Roles.ADMIN, Roles.ANALYST);
        return taxonomies.get(workspace).map(TaxonomyApi::dto);
    }

    @Query
    @Description("Which channel the workspace's taxonomy gives a touch with these UTMs, referrer and page URL (role admin or analyst).")
    public Uni<@NonNull PreviewDto> previewChannel(String source, String medium, String campaign, String referrer, String url) {
        String workspace = caller.workspaceFor(Roles.ADMIN, Roles.ANALYST);
        return taxonomies.forWorkspace(workspace).map(t -> {
            Classification c = t.classify(new TouchSignals(source, medium, campaign, null, null, referrer, url, Map.of()));
            return new PreviewDto(c.channel(), c.source(), c.medium(), c.campaign(), c.utmValid());
        });
    }

    @Mutation
    @Description("Restores the built-in default taxonomy (role admin).")
    public Uni<@NonNull TaxonomyDto> resetChannelTaxonomy() {
        return taxonomies.update(caller.workspaceFor(Roles.ADMIN), null).map(TaxonomyApi::dto);
    }

    @Mutation
    @Description("Replaces the workspace's channel rules (role admin). Touches stored from then on use them. "
            + "Errors name the rule index and field, e.g. rules[3].medium.")
    public Uni<@NonNull TaxonomyDto> updateChannelTaxonomy(@NonNull List<@NonNull ChannelRuleInput> rules) {
        String workspace = caller.workspaceFor(Roles.ADMIN);
        ChannelTaxonomy taxonomy;
        {
            List<Map<String, String>> maps = new ArrayList<>(rules.size());
            for (ChannelRuleInput r : rules) {
                Map<String, String> m = new LinkedHashMap<>();
                m.put("channel", r.channel());
                put(m, ChannelRule.Attribute.SOURCE, r.source());
                put(m, ChannelRule.Attribute.MEDIUM, r.medium());
                put(m, ChannelRule.Attribute.CAMPAIGN, r.campaign());
                put(m, ChannelRule.Attribute.CONTENT, r.content());
                put(m, ChannelRule.Attribute.TERM, r.term());
                put(m, ChannelRule.Attribute.REFERRER_HOST, r.referrerHost());
                put(m, ChannelRule.Attribute.CLICK_ID, r.clickId());
                put(m, ChannelRule.Attribute.SOURCE_CATEGORY, r.sourceCategory());
                maps.add(m);
            }
            taxonomy = ChannelTaxonomy.fromMaps(maps);
        }
        return taxonomies.update(workspace, taxonomy).map(TaxonomyApi::dto);
    }

    private static void put(Map<String, String> m, ChannelRule.Attribute attribute, String value) {
        if (value != null) {
            m.put(attribute.field(), value);
        }
    }

    private static TaxonomyDto dto(TaxonomyService.Stored stored) {
        List<ChannelRuleDto> rules = new ArrayList<>();
        for (Map<String, String> m : stored.taxonomy().toMaps()) {
            rules.add(new ChannelRuleDto(m.get("channel"), m.get("source"), m.get("medium"), m.get("campaign"), m.get("content"),
                    m.get("term"), m.get("referrerHost"), m.get("clickId"), m.get("sourceCategory")));
        }
        return new TaxonomyDto(rules, List.copyOf(stored.taxonomy().channels()), stored.updatedAt() == null, stored.updatedAt());
    }
}
