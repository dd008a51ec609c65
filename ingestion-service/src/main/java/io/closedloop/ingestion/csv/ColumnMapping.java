package io.closedloop.ingestion.csv;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which CSV column holds which field. The built-in mappings {@code salesforce} and {@code hubspot}
 * know the column titles of those systems' report exports (and Salesforce's API names); any
 * mapping also accepts the fields' own names as titles ({@code id}, {@code createdAt}, ...). A
 * JSON object maps fields to titles explicitly: {@code {"id": "Deal ID", "amount": "Deal amount"}}.
 * Titles are matched ignoring case, spaces, '_' and '-'.
 */
public final class ColumnMapping {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Built-in titles per mapping, kind and field. */
    private static final Map<ImportMapping, Map<ImportKind, Map<String, List<String>>>> BUILT_IN = Map.of(
            ImportMapping.SALESFORCE, Map.of(
                    ImportKind.ACCOUNTS, t("id", List.of("Account ID", "Id"), "name", List.of("Account Name", "Name"),
                            "domains", List.of("Website", "Domain"), "industry", List.of("Industry"),
                            "createdAt", List.of("Created Date", "CreatedDate")),
                    ImportKind.CONTACTS, t("id", List.of("Contact ID", "Id"), "email", List.of("Email"),
                            "phone", List.of("Phone", "Mobile", "MobilePhone"), "accountId", List.of("Account ID", "AccountId"),
                            "createdAt", List.of("Created Date", "CreatedDate"),
                            "leadCreatedAt", List.of("Lead Created Date", "Converted Date", "ConvertedDate")),
                    ImportKind.OPPORTUNITIES, t("id", List.of("Opportunity ID", "Id"), "accountId", List.of("Account ID", "AccountId"),
                            "name", List.of("Opportunity Name", "Name"), "amount", List.of("Amount"),
                            "currency", List.of("Opportunity Currency", "Amount Currency", "CurrencyIsoCode", "Currency"),
                            "createdAt", List.of("Created Date", "CreatedDate"), "stage", List.of("Stage", "StageName"),
                            "isWon", List.of("Won", "IsWon"), "isClosed", List.of("Closed", "IsClosed"),
                            "closedAt", List.of("Close Date", "CloseDate")),
                    ImportKind.STAGE_HISTORY, t("opportunityId", List.of("Opportunity ID", "OpportunityId"),
                            "stage", List.of("To Stage", "Stage", "StageName"),
                            "enteredAt", List.of("Last Modified", "Last Modified Date", "Created Date", "CreatedDate", "Date")),
                    ImportKind.REVENUE, t("id", List.of("Invoice ID", "Invoice Number", "Id"), "accountId", List.of("Account ID", "AccountId"),
                            "opportunityId", List.of("Opportunity ID", "OpportunityId"), "amount", List.of("Amount", "Total Amount", "Total"),
                            "currency", List.of("Currency", "CurrencyIsoCode"),
                            "occurredAt", List.of("Invoice Date", "Payment Date", "Date", "CreatedDate")),
                    ImportKind.SPEND, t("date", List.of("Date", "Day"), "campaign", List.of("Campaign Name", "Campaign"),
                            "amount", List.of("Actual Cost", "ActualCost", "Cost", "Spend", "Amount"),
                            "currency", List.of("Currency", "CurrencyIsoCode")),
                    ImportKind.OFFLINE_TOUCHES, t("id", List.of("Activity ID", "Task ID", "Event ID", "Id"),
                            "occurredAt", List.of("Date", "Activity Date", "ActivityDate", "Created Date", "CreatedDate"),
                            "email", List.of("Email"), "phone", List.of("Phone"), "contactId", List.of("Contact ID", "WhoId"),
                            "type", List.of("Type", "Task Type", "Activity Type", "TaskSubtype"), "campaign", List.of("Campaign Name", "Campaign")),
                    ImportKind.EXCHANGE_RATES, t("date", List.of("Start Date", "StartDate", "Date"),
                            "currency", List.of("ISO Code", "IsoCode", "Currency ISO Code"),
                            "rate", List.of("Conversion Rate", "ConversionRate"))),
            ImportMapping.HUBSPOT, Map.of(
                    ImportKind.ACCOUNTS, t("id", List.of("Record ID", "Company ID"), "name", List.of("Company name", "Name"),
                            "domains", List.of("Company Domain Name", "Website URL", "Domain"), "industry", List.of("Industry"),
                            "createdAt", List.of("Create Date")),
                    ImportKind.CONTACTS, t("id", List.of("Record ID", "Contact ID"), "email", List.of("Email"),
                            "phone", List.of("Phone Number", "Mobile Phone Number"),
                            "accountId", List.of("Associated Company IDs", "Associated Company ID", "Company ID"),
                            "createdAt", List.of("Create Date"),
                            "leadCreatedAt", List.of("Became a Lead Date", "First Conversion Date")),
                    ImportKind.OPPORTUNITIES, t("id", List.of("Record ID", "Deal ID"),
                            "accountId", List.of("Associated Company IDs", "Associated Company ID", "Company ID"),
                            "name", List.of("Deal Name"), "amount", List.of("Amount"),
                            "currency", List.of("Currency", "Deal currency code", "Currency Code"), "createdAt", List.of("Create Date"),
                            "stage", List.of("Deal Stage"), "isWon", List.of("Is Closed Won"), "isClosed", List.of("Is Closed"),
                            "closedAt", List.of("Close Date"), "contactIds", List.of("Associated Contact IDs", "Associated Contact ID")),
                    ImportKind.STAGE_HISTORY, t("opportunityId", List.of("Deal ID", "Record ID"), "stage", List.of("Deal Stage", "Stage"),
                            "enteredAt", List.of("Date entered", "Entered At", "Timestamp", "Date")),
                    ImportKind.REVENUE, t("id", List.of("Invoice ID", "Invoice number", "Record ID"),
                            "accountId", List.of("Associated Company IDs", "Associated Company ID", "Company ID"),
                            "opportunityId", List.of("Associated Deal IDs", "Associated Deal ID", "Deal ID"),
                            "amount", List.of("Amount", "Invoice amount", "Total"), "currency", List.of("Currency", "Currency Code"),
                            "occurredAt", List.of("Invoice date", "Payment date", "Create Date", "Date")),
                    ImportKind.SPEND, t("date", List.of("Date"), "campaign", List.of("Campaign name", "Campaign"),
                            "amount", List.of("Spend", "Cost", "Amount"), "currency", List.of("Currency", "Currency Code")),
                    ImportKind.OFFLINE_TOUCHES, t("id", List.of("Activity ID", "Engagement ID", "Record ID"),
                            "occurredAt", List.of("Activity date", "Timestamp", "Create Date"), "email", List.of("Email", "Contact email"),
                            "phone", List.of("Phone Number"), "contactId", List.of("Associated Contact IDs", "Associated Contact ID", "Contact ID"),
                            "type", List.of("Activity type", "Engagement type", "Type"), "campaign", List.of("Campaign")),
                    ImportKind.EXCHANGE_RATES, t("date", List.of("Effective date", "Date"),
                            "currency", List.of("Currency code", "Currency"), "rate", List.of("Exchange rate", "Rate"))));

    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> t(Object... fieldsAndTitles) {
        Map<String, List<String>> m = new HashMap<>();
        for (int i = 0; i < fieldsAndTitles.length; i += 2) {
            m.put((String) fieldsAndTitles[i], (List<String>) fieldsAndTitles[i + 1]);
        }
        return Map.copyOf(m);
    }

    private final ImportKind kind;
    private final ImportMapping mapping;
    private final Map<String, Integer> columns;
    private final boolean invertRates;

    private ColumnMapping(ImportKind kind, ImportMapping mapping, Map<String, Integer> columns, boolean invertRates) {
        this.kind = kind;
        this.mapping = mapping;
        this.columns = columns;
        this.invertRates = invertRates;
    }

    public static List<String> builtIn() {
        return List.of("salesforce", "hubspot");
    }

    /**
     * Matches a header row.
     *
     * @param mapping null or blank (the fields' own names), {@code salesforce}, {@code hubspot} or a JSON object
     * @throws MappingException naming the parameter or the column at fault
     */
    public static ColumnMapping resolve(ImportKind kind, String mapping, List<String> header) {
        Map<String, Integer> byTitle = new HashMap<>();
        for (int i = header.size() - 1; i >= 0; i--) {
            byTitle.put(normalize(header.get(i)), i);
        }
        String m = mapping == null ? "" : mapping.strip();
        Map<String, Integer> columns = new LinkedHashMap<>();
        ImportMapping chosen;
        if (m.startsWith("{")) {
            chosen = ImportMapping.CUSTOM;
            JsonNode map;
            try {
                map = JSON.readTree(m);
            } catch (JsonProcessingException e) {
                throw new MappingException("mapping: not a JSON object of field → column title: " + e.getOriginalMessage());
            }
            Iterator<Map.Entry<String, JsonNode>> it = map.properties().iterator();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!kind.fields().contains(e.getKey())) {
                    throw new MappingException("mapping." + e.getKey() + ": not a field of " + kind.path() + "; its fields are " + kind.fields());
                }
                if (!e.getValue().isTextual()) {
                    throw new MappingException("mapping." + e.getKey() + ": must be a column title (a string)");
                }
                Integer column = byTitle.get(normalize(e.getValue().textValue()));
                if (column == null) {
                    throw new MappingException("mapping." + e.getKey() + ": the file has no column '" + e.getValue().textValue() + "'");
                }
                columns.put(e.getKey(), column);
            }
        } else {
            chosen = ImportMapping.FIELDS;
            Map<String, List<String>> titles = Map.of();
            if (!m.isEmpty()) {
                chosen = BUILT_IN.keySet().stream().filter(b -> b.stored().equals(m.toLowerCase(Locale.ROOT))).findFirst()
                        .orElseThrow(() -> new MappingException("mapping: '" + m + "' is not salesforce, hubspot or a JSON object of field"
                                + " → column title"));
                titles = BUILT_IN.get(chosen).getOrDefault(kind, Map.of());
            }
            for (String field : kind.fields()) {
                List<String> candidates = new ArrayList<>(titles.getOrDefault(field, List.of()));
                candidates.add(field);
                for (String title : candidates) {
                    Integer column = byTitle.get(normalize(title));
                    if (column != null) {
                        columns.put(field, column);
                        break;
                    }
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (String field : kind.required()) {
            if (!columns.containsKey(field)) {
                missing.add(field);
            }
        }
        if (!missing.isEmpty()) {
            throw new MappingException("the file has no column for " + String.join(", ", missing) + " (mapping " + chosen.stored()
                    + "); its columns are " + header);
        }
        return new ColumnMapping(kind, chosen, columns, chosen == ImportMapping.SALESFORCE && kind == ImportKind.EXCHANGE_RATES);
    }

    public ImportMapping mapping() {
        return mapping;
    }

    /** Which column each field was found in. */
    public Map<String, Integer> columns() {
        return columns;
    }

    /** The input item of one record. */
    public Object toInput(List<String> record) {
        Map<String, String> values = new HashMap<>();
        for (Map.Entry<String, Integer> e : columns.entrySet()) {
            if (e.getValue() < record.size()) {
                String v = record.get(e.getValue());
                if (v != null && !v.isBlank()) {
                    values.put(e.getKey(), v);
                }
            }
        }
        if (invertRates && values.containsKey("rate")) {
            values.put("rate", ImportKind.invert(values.get("rate")));
        }
        return kind.toInput(values);
    }

    static String normalize(String title) {
        return title == null ? "" : title.replace("\uFEFF", "").strip().toLowerCase(Locale.ROOT).replaceAll("[\\s_\\-.]+", "");
    }
}
