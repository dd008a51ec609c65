package io.closedloop.ingestion.rest;

import io.closedloop.ingestion.service.ImportService;
import io.closedloop.launcher.testing.PostgresTestResource;
import io.closedloop.launcher.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.closedloop.ingestion.rest.IngestionTesting.feed;
import static io.closedloop.ingestion.rest.IngestionTesting.payload;
import static io.closedloop.launcher.testing.GraphQlCalls.graphql;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CSV imports as CRM exports come: Salesforce and HubSpot column titles, per-row errors, progress through GraphQL. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingestion"))
class ImportApiTest {

    static final String SALESFORCE_OPPORTUNITIES = """
            "Opportunity ID","Account ID","Opportunity Name","Amount","Opportunity Currency","Created Date","Stage","Close Date","Won","Closed"
            "0065g00000AAA1","0015g00000abc","Acme - new","$50,000.00","USD","1/15/2026","Closed Won","3/2/2026","1","1"
            "0065g00000AAA2","0015g00000abc","Acme, expansion \"\"EU\"\"","12000","USD","2/1/2026","Proposal","4/30/2026","0","0"
            "0065g00000AAA3","0015g00000def","Bad amount","lots","USD","2/1/2026","Prospecting","4/30/2026","0","0"
            "0065g00000AAA4","0015g00000def","No created date","100","USD","","Prospecting","4/30/2026","0","0"
            "0065g00000AAA5","0015g00000def","Euro deal","100","EUR","2/1/2026","Closed Lost","2/20/2026","0","1"
            """;

    static final String HUBSPOT_DEALS = "\uFEFFRecord ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Associated Company IDs,"
            + "Associated Contact IDs,Is Closed Won,Is Closed\r\n"
            + "9001,Globex deal,closedwon,\"1,500.50\",2026-03-01 10:00,2026-01-10 09:30,5001,\"7001;7002\",true,true\r\n"
            + "9002,Initech deal,appointmentscheduled,800,,2026-02-11 09:30,5002,,false,false\r\n"
            + "9003,Hooli deal,closedwon,100,,2026-02-11 09:30,5002,,true,true\r\n";

    static String workspace() {
        return "imp" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String startImport(String workspace, String kind, String mapping, String csv) {
        var request = given().auth().oauth2(TestKeys.token(workspace, "ingest")).contentType("text/csv; charset=utf-8").body(csv);
        if (mapping != null) {
            request.queryParam("mapping", mapping);
        }
        return request.post("/imports/" + kind).then().statusCode(202)
                .body("state", equalTo("RUNNING")).body("id", notNullValue()).extract().path("id");
    }

    static JsonPath awaitJob(String workspace, String id) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            JsonPath job = graphql(TestKeys.token(workspace, "ingest"), "{ importJob(id: \"" + id + "\") { id kind mapping state rowsRead"
                    + " rowsAccepted rowsRejected message errors { totalCount edges { cursor node { row id field error } }"
                    + " pageInfo { hasNextPage endCursor } } } }").statusCode(200).extract().jsonPath();
            if (!"RUNNING".equals(job.getString("data.importJob.state")) || System.currentTimeMillis() > deadline) {
                return job;
            }
            Thread.sleep(100);
        }
    }

    @Test
    void salesforceOpportunityReportImportsWithPerRowErrors() throws InterruptedException {
        String ws = workspace();
        JsonPath job = awaitJob(ws, startImport(ws, "opportunities", "salesforce", SALESFORCE_OPPORTUNITIES));
        assertEquals("SUCCEEDED", job.getString("data.importJob.state"), job.prettify());
        assertEquals("OPPORTUNITIES", job.getString("data.importJob.kind"));
        assertEquals("SALESFORCE", job.getString("data.importJob.mapping"));
        assertEquals(5, job.getInt("data.importJob.rowsRead"));
        assertEquals(2, job.getInt("data.importJob.rowsAccepted"));
        assertEquals(3, job.getInt("data.importJob.rowsRejected"));
        assertEquals(List.of(3, 4, 5), job.getList("data.importJob.errors.edges.node.row"));
        assertEquals(List.of("amount", "createdAt", "currency"), job.getList("data.importJob.errors.edges.node.field"));
        assertEquals("0065g00000AAA3", job.getString("data.importJob.errors.edges[0].node.id"));
        assertEquals(3, job.getInt("data.importJob.errors.totalCount"));
        assertEquals(false, job.getBoolean("data.importJob.errors.pageInfo.hasNextPage"));

        Map<String, Map<String, Object>> crm = byId(feed("crm", ws));
        Map<String, Object> won = crm.get("0065g00000AAA1");
        assertEquals("50000.00", won.get("amount"));
        assertEquals("WON", won.get("status"));
        assertEquals("2026-01-15T00:00:00.000Z", won.get("createdAt"));
        assertEquals("2026-03-02T00:00:00.000Z", won.get("closedAt"));
        assertEquals("Acme, expansion \"EU\"", crm.get("0065g00000AAA2").get("name"));
        assertEquals("OPEN", crm.get("0065g00000AAA2").get("status"));

        // Importing the same file again changes nothing.
        JsonPath again = awaitJob(ws, startImport(ws, "opportunities", "salesforce", SALESFORCE_OPPORTUNITIES));
        assertEquals(2, again.getInt("data.importJob.rowsAccepted"));
        assertEquals(2, feed("crm", ws).size());
    }

    @Test
    void aRateWithAnAbsurdExponentIsARowErrorNotAStuckJob() throws InterruptedException {
        String ws = workspace();
        JsonPath job = awaitJob(ws, startImport(ws, "exchange-rates", "salesforce",
                "ISO Code,Conversion Rate,Start Date\nEUR,1E-999999999,2026-01-01\nGBP,1E999999999,2026-01-01\n"));
        assertEquals("SUCCEEDED", job.getString("data.importJob.state"), job.prettify());
        assertEquals(0, job.getInt("data.importJob.rowsAccepted"));
        assertEquals(List.of("rate", "rate"), job.getList("data.importJob.errors.edges.node.field"));
    }

    @Inject
    ImportService imports;

    @Test
    void aWorkspaceAtItsImportLimitGets429BeforeUploadingWhileAnotherImports() throws InterruptedException {
        String busy = workspace();
        // Two imports of this workspace in flight (the default max-per-workspace), held here.
        ImportService.Admission first = imports.admit(busy);
        ImportService.Admission second = imports.admit(busy);
        assertTrue(first != null && second != null);
        try {
            given().auth().oauth2(TestKeys.token(busy, "ingest")).contentType("text/csv").body("Id,Name\na1,Acme\n")
                    .post("/imports/accounts").then().statusCode(429).header("Retry-After", "30")
                    .body("error", containsString("at most 2 imports of a workspace"));
            String other = workspace();
            assertEquals("SUCCEEDED", awaitJob(other, startImport(other, "accounts", null, "Id,Name\na1,Acme\n"))
                    .getString("data.importJob.state"));
        } finally {
            first.release();
            second.release();
        }
        assertEquals("SUCCEEDED", awaitJob(busy, startImport(busy, "accounts", null, "Id,Name\na1,Acme\n"))
                .getString("data.importJob.state"), "released: the workspace imports again");
    }

    @Test
    void hubspotExportsImportWithTheirTitlesAndAssociations() throws InterruptedException {
        String ws = workspace();
        String contacts = "Record ID,First Name,Last Name,Email,Phone Number,Associated Company IDs,Create Date\n"
                + "7001,Ada,Lovelace,ada@globex.com,+44 20 7946 0018,5001,2026-01-03 08:00\n"
                + "7002,Bad,Mail,nope,,5001,2026-01-03 08:00\n";
        JsonPath c = awaitJob(ws, startImport(ws, "contacts", "hubspot", contacts));
        assertEquals(1, c.getInt("data.importJob.rowsAccepted"));
        assertEquals("HUBSPOT", c.getString("data.importJob.mapping"));
        assertEquals("email", c.getString("data.importJob.errors.edges[0].node.field"));
        assertEquals(2, c.getInt("data.importJob.errors.edges[0].node.row"));

        JsonPath d = awaitJob(ws, startImport(ws, "opportunities", "hubspot", HUBSPOT_DEALS));
        assertEquals(2, d.getInt("data.importJob.rowsAccepted"), d.prettify());
        assertEquals("closedAt", d.getString("data.importJob.errors.edges[0].node.field"));
        Map<String, Map<String, Object>> crm = byId(feed("crm", ws));
        Map<String, Object> deal = crm.get("9001");
        assertEquals("1500.50", deal.get("amount"));
        assertEquals("WON", deal.get("status"));
        assertEquals("5001", deal.get("accountId"));
        assertEquals(List.of(Map.of("contactId", "7001"), Map.of("contactId", "7002")),
                ((List<?>) deal.get("contactRoles")).stream().map(r -> Map.of("contactId", ((Map<?, ?>) r).get("contactId"))).toList());
        assertEquals("+442079460018", crm.get("7001").get("phone"));
    }

    @Test
    void stageHistoryImportsAsItsOwnKind() throws InterruptedException {
        String ws = workspace();
        awaitJob(ws, startImport(ws, "opportunities", null, "id,createdAt,stage\nopp-1,2026-01-01T00:00:00Z,Discovery\n"));
        String history = "Opportunity ID,To Stage,Last Modified\n"
                + "opp-1,Discovery,2026-01-01T00:00:00Z\n"
                + "opp-1,Proposal,2026-01-20T00:00:00Z\n"
                + "opp-9,Proposal,2026-01-20T00:00:00Z\n";
        JsonPath job = awaitJob(ws, startImport(ws, "stage-history", "salesforce", history));
        assertEquals("STAGE_HISTORY", job.getString("data.importJob.kind"), "the slug of /imports/stage-history as the enum");
        assertEquals(2, job.getInt("data.importJob.rowsAccepted"));
        assertEquals("opportunityId", job.getString("data.importJob.errors.edges[0].node.field"));
        Map<String, Object> opp = byId(feed("crm", ws)).get("opp-1");
        assertEquals(List.of("Discovery", "Proposal"), ((List<?>) opp.get("stageHistory")).stream().map(e -> ((Map<?, ?>) e).get("stage")).toList());
    }

    @Test
    void everyKindImportsWithTheFieldsOwnNamesOrAJsonColumnMap() throws InterruptedException {
        String ws = workspace();
        assertEquals(1, awaitJob(ws, startImport(ws, "accounts", null, "id,name,domains\na1,Acme,acme.com;acme.io\n"))
                .getInt("data.importJob.rowsAccepted"));
        assertEquals(1, awaitJob(ws, startImport(ws, "revenue", "{\"id\":\"Invoice\",\"accountId\":\"Customer\",\"amount\":\"Total\","
                + "\"occurredAt\":\"Paid on\"}", "Invoice,Customer,Total,Paid on\ninv-1,a1,99.90,2026-03-01\n")).getInt("data.importJob.rowsAccepted"));
        assertEquals(1, awaitJob(ws, startImport(ws, "spend", null, "date,source,medium,campaign,amount\n2026-03-01,google,cpc,brand,120\n"))
                .getInt("data.importJob.rowsAccepted"));
        assertEquals(1, awaitJob(ws, startImport(ws, "offline-touches", null, "id,occurredAt,email,type\nc1,2026-03-01T10:00:00Z,a@acme.com,Call\n"))
                .getInt("data.importJob.rowsAccepted"));
        assertEquals(1, awaitJob(ws, startImport(ws, "exchange-rates", null, "date,currency,rate\n2026-03-01,EUR,1.08\n"))
                .getInt("data.importJob.rowsAccepted"));
        assertEquals(List.of("acme.com", "acme.io"), byId(feed("crm", ws)).get("a1").get("domains"));
        assertEquals("99.90", payload(feed("revenue", ws).get(0)).get("amount"));
        assertEquals("paid_search", payload(feed("spend", ws).get(0)).get("channel"));
        assertEquals("CALL", payload(feed("touches", ws).get(0)).get("type"));
        JsonPath jobs = graphql(TestKeys.token(ws, "admin"), "{ importJobs { edges { node { kind mapping state } } } }")
                .statusCode(200).body("errors", nullValue()).extract().jsonPath();
        assertEquals(List.of("EXCHANGE_RATES", "OFFLINE_TOUCHES", "SPEND", "REVENUE", "ACCOUNTS"), jobs.getList("data.importJobs.edges.node.kind"),
                "newest first");
        assertEquals(List.of("FIELDS", "FIELDS", "FIELDS", "CUSTOM", "FIELDS"), jobs.getList("data.importJobs.edges.node.mapping"));
        assertEquals(List.of("SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"), jobs.getList("data.importJobs.edges.node.state"));
    }

    @Test
    void progressIsVisibleWhileTheJobRunsPacedByItsWorkspacesRateWhileAnotherImports() throws InterruptedException {
        String ws = workspace();
        // 50,000 rows against the default 5,000 rows/s after a burst of 20,000: at least 5 s of pauses between chunks (unpaced,
        // this machine stores them in about 3 s).
        int rows = 50_000;
        StringBuilder csv = new StringBuilder("id,name\n");
        for (int i = 0; i < rows; i++) {
            csv.append("acc-").append(i).append(",Account ").append(i).append('\n');
        }
        long started = System.nanoTime();
        String id = startImport(ws, "accounts", null, csv.toString());
        String other = workspace();
        assertEquals("SUCCEEDED", awaitJob(other, startImport(other, "accounts", null, "Id,Name\na1,Acme\n"))
                .getString("data.importJob.state"));
        assertEquals("RUNNING", graphql(TestKeys.token(ws, "ingest"), "{ importJob(id: \"" + id + "\") { state } }")
                .extract().path("data.importJob.state"), "another workspace's import does not wait for the paced one");
        // Chunks of at most 5,000 rows are committed with their counts, so polling sees a job part way through.
        int seenPartWay = -1;
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            JsonPath job = graphql(TestKeys.token(ws, "ingest"), "{ importJob(id: \"" + id + "\") { state rowsRead rowsAccepted } }")
                    .statusCode(200).extract().jsonPath();
            int read = job.getInt("data.importJob.rowsRead");
            if (!"RUNNING".equals(job.getString("data.importJob.state"))) {
                assertEquals(rows, read);
                break;
            }
            if (read > 0 && read < rows) {
                seenPartWay = read;
                assertEquals(read, job.getInt("data.importJob.rowsAccepted"));
            }
            Thread.sleep(10);
        }
        assertTrue(seenPartWay > 0, "no poll saw the running job with rows read part way through");
        assertEquals("SUCCEEDED", awaitJob(ws, id).getString("data.importJob.state"));
        long took = System.nanoTime() - started;
        assertTrue(took >= 5_000_000_000L, "paced to the workspace's rate: " + took / 1_000_000 + " ms");
    }

    @Test
    void badRequestsAreRefusedNamingWhatIsWrong() {
        String ws = workspace();
        String ingest = TestKeys.token(ws, "ingest");
        given().contentType("text/csv").body("id\n1\n").post("/imports/accounts").then().statusCode(401);
        given().auth().oauth2(TestKeys.token(ws, "analyst")).contentType("text/csv").body("id\n1\n").post("/imports/accounts")
                .then().statusCode(403).body("error", containsString("ingest"));
        given().auth().oauth2(ingest).contentType("application/json").body("{}").post("/imports/accounts").then().statusCode(415);
        given().auth().oauth2(ingest).contentType("text/csv").body("id\n1\n").post("/imports/planets").then().statusCode(404)
                .body("error", containsString("opportunities"));
        given().auth().oauth2(ingest).contentType("text/csv").body("Name,Amount\nx,1\n").queryParam("mapping", "salesforce")
                .post("/imports/opportunities").then().statusCode(400)
                .body("error", containsString("no column for id, createdAt"));
        given().auth().oauth2(ingest).contentType("text/csv").body("id\n1\n").queryParam("mapping", "pipedrive")
                .post("/imports/accounts").then().statusCode(400).body("error", containsString("mapping"));
        given().auth().oauth2(ingest).contentType("text/csv").body("A\n1\n").queryParam("mapping", "{\"colour\":\"A\"}")
                .post("/imports/accounts").then().statusCode(400).body("error", containsString("mapping.colour"));
        given().auth().oauth2(ingest).contentType("text/csv").body("").post("/imports/accounts").then().statusCode(400)
                .body("error", containsString("empty"));
    }

    @Test
    void aBrokenFileStopsTheJobNamingTheLine() throws InterruptedException {
        String ws = workspace();
        JsonPath job = awaitJob(ws, startImport(ws, "accounts", null, "id,name\na1,Acme\na2,\"unclosed\n"));
        assertEquals("FAILED", job.getString("data.importJob.state"));
        assertTrue(job.getString("data.importJob.message").contains("line 3"), job.getString("data.importJob.message"));
    }

    @Test
    void aJobsErrorsPagedTwoAtATimeComeEachOnceInRowOrder() throws InterruptedException {
        String ws = workspace();
        // Rows 2, 3, 5, 8, 9, 10 and 12 have no valid createdAt and are rejected; the other six are stored.
        StringBuilder csv = new StringBuilder("id,createdAt\n");
        List<Integer> bad = List.of(2, 3, 5, 8, 9, 10, 12);
        for (int row = 1; row <= 13; row++) {
            csv.append("acc-").append(row).append(',').append(bad.contains(row) ? "someday" : "2026-01-01").append('\n');
        }
        String id = startImport(ws, "accounts", null, csv.toString());
        assertEquals(6, awaitJob(ws, id).getInt("data.importJob.rowsAccepted"));

        List<Object> rows = new java.util.ArrayList<>();
        List<Integer> pageSizes = new java.util.ArrayList<>();
        String after = null;
        for (int page = 0; page < 10; page++) {
            JsonPath errors = graphql(TestKeys.token(ws, "ingest"), "{ importJob(id: \"" + id + "\") { errors(first: 2"
                    + (after == null ? "" : ", after: \"" + after + "\"") + ") { totalCount edges { cursor node { row field } }"
                    + " pageInfo { hasNextPage hasPreviousPage endCursor } } } }")
                    .statusCode(200).body("errors", nullValue()).extract().jsonPath().setRootPath("data.importJob.errors");
            assertEquals(7, errors.getInt("totalCount"));
            assertEquals(after != null, errors.getBoolean("pageInfo.hasPreviousPage"));
            rows.addAll(errors.getList("edges.node.row"));
            pageSizes.add(errors.getList("edges").size());
            assertEquals(List.of("createdAt"), errors.getList("edges.node.field").stream().distinct().toList());
            if (!errors.getBoolean("pageInfo.hasNextPage")) {
                break;
            }
            after = errors.getString("pageInfo.endCursor");
            assertEquals(after, errors.getString("edges[-1].cursor"));
        }
        assertEquals(List.of(2, 3, 5, 8, 9, 10, 12), rows, "every error once, in row order");
        assertEquals(List.of(2, 2, 2, 1), pageSizes);
    }

    @Test
    void aJobKeepsItsFirstHundredErrorsAndCountsThemAll() throws InterruptedException {
        String ws = workspace();
        StringBuilder csv = new StringBuilder("id,createdAt\n");
        for (int row = 1; row <= 105; row++) {
            csv.append("acc-").append(row).append(",someday\n");
        }
        String id = startImport(ws, "accounts", null, csv.toString());
        assertEquals(105, awaitJob(ws, id).getInt("data.importJob.rowsRejected"));
        JsonPath errors = graphql(TestKeys.token(ws, "ingest"), "{ importJob(id: \"" + id + "\") { errors(first: 100) { totalCount"
                + " edges { node { row } } pageInfo { hasNextPage endCursor } } } }")
                .statusCode(200).body("errors", nullValue()).extract().jsonPath().setRootPath("data.importJob.errors");
        assertEquals(100, errors.getInt("totalCount"), "the rows kept, not rowsRejected");
        assertEquals(100, errors.getList("edges").size());
        assertEquals(100, errors.getInt("edges[-1].node.row"));
        assertEquals(false, errors.getBoolean("pageInfo.hasNextPage"));
        graphql(TestKeys.token(ws, "ingest"), "{ importJob(id: \"" + id + "\") { errors(after: \"" + errors.getString("pageInfo.endCursor")
                + "\") { edges { cursor } pageInfo { hasNextPage hasPreviousPage endCursor } } } }")
                .statusCode(200).body("errors", nullValue()).body("data.importJob.errors.edges.size()", equalTo(0))
                .body("data.importJob.errors.pageInfo.hasNextPage", equalTo(false))
                .body("data.importJob.errors.pageInfo.hasPreviousPage", equalTo(true))
                .body("data.importJob.errors.pageInfo.endCursor", nullValue());
    }

    @Test
    void pagingImportJobsWhileJobsStartNeitherRepeatsNorLosesOne() throws InterruptedException {
        String ws = workspace();
        List<String> started = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = startImport(ws, "accounts", null, "id\nacc-" + i + "\n");
            awaitJob(ws, id); // a workspace may run only two imports at once
            started.add(0, id); // newest first
        }
        List<String> seen = new java.util.ArrayList<>();
        List<String> startedWhilePaging = new java.util.ArrayList<>();
        String after = null;
        for (int page = 0; page < 10; page++) {
            JsonPath jobs = graphql(TestKeys.token(ws, "ingest"), "{ importJobs(first: 2" + (after == null ? "" : ", after: \"" + after + "\"")
                    + ") { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }")
                    .statusCode(200).body("errors", nullValue()).extract().jsonPath().setRootPath("data.importJobs");
            seen.addAll(jobs.getList("edges.node.id"));
            if (!jobs.getBoolean("pageInfo.hasNextPage")) {
                break;
            }
            after = jobs.getString("pageInfo.endCursor");
            // A job started between two pages: by offset, it would push the first page's last job into the next page.
            String id = startImport(ws, "accounts", null, "id\nnew-" + page + "\n");
            awaitJob(ws, id);
            startedWhilePaging.add(0, id);
        }
        assertEquals(started, seen, "each job that existed at the first page once, newest first; none started since");
        List<String> all = new java.util.ArrayList<>(startedWhilePaging);
        all.addAll(started);
        JsonPath whole = graphql(TestKeys.token(ws, "admin"), "{ importJobs(first: 200) { totalCount edges { node { id } } } }")
                .statusCode(200).body("errors", nullValue()).extract().jsonPath();
        assertEquals(all, whole.getList("data.importJobs.edges.node.id"), "the jobs started while paging come first");
        assertEquals(all.size(), whole.getInt("data.importJobs.totalCount"));
    }

    @Test
    void aBadPageSizeOrCursorIsAnErrorNamingTheArgument() throws InterruptedException {
        String ws = workspace();
        String token = TestKeys.token(ws, "ingest");
        String id = startImport(ws, "accounts", null, "id,createdAt\na1,someday\na2,someday\n");
        awaitJob(ws, id);
        String jobCursor = graphql(token, "{ importJobs(first: 1) { edges { cursor } } }").statusCode(200)
                .extract().path("data.importJobs.edges[0].cursor");
        String rowCursor = graphql(token, "{ importJob(id: \"" + id + "\") { errors(first: 1) { edges { cursor } } } }").statusCode(200)
                .extract().path("data.importJob.errors.edges[0].cursor");
        graphql(token, "{ importJobs(first: 200) { edges { cursor } } }").statusCode(200).body("errors", nullValue());
        graphql(token, "{ importJob(id: \"" + id + "\") { errors(first: 100) { totalCount } } }").statusCode(200).body("errors", nullValue());
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("{ importJobs(first: 0) { edges { cursor } } }", "importJobs.first: must be between 1 and 200, was 0");
        refused.put("{ importJobs(first: 201) { edges { cursor } } }", "importJobs.first: must be between 1 and 200, was 201");
        refused.put("{ importJobs(after: \"nope!\") { edges { cursor } } }", "importJobs.after: not a cursor this API returned");
        refused.put("{ importJobs(after: \"" + rowCursor + "\") { edges { cursor } } }", "importJobs.after: not a cursor this API returned");
        refused.put("{ importJob(id: \"" + id + "\") { errors(first: 0) { totalCount } } }", "ImportJob.errors.first: must be between 1 and 100, was 0");
        refused.put("{ importJob(id: \"" + id + "\") { errors(first: 101) { totalCount } } }", "ImportJob.errors.first: must be between 1 and 100, was 101");
        refused.put("{ importJob(id: \"" + id + "\") { errors(after: \"" + jobCursor + "\") { totalCount } } }",
                "ImportJob.errors.after: not a cursor this API returned");
        refused.put("{ importJob(id: \"" + id + "\") { errors(after: \"cm93Oi0x\") { totalCount } } }", // row:-1
                "ImportJob.errors.after: not a cursor this API returned");
        refused.forEach((query, message) -> graphql(token, query).statusCode(200).body("errors[0].message", containsString(message)));
    }

    private static Map<String, Map<String, Object>> byId(List<Map<String, Object>> items) {
        Map<String, Map<String, Object>> out = new java.util.HashMap<>();
        for (Map<String, Object> item : items) {
            out.put((String) payload(item).get("id"), payload(item));
        }
        return out;
    }
}
