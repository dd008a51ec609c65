package io.closedloop.attribution;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service's packages import one way (STYLE.md "Layers import one way"): the API ({@code graphql}) and the feed
 * consumers over {@code service} and {@code recompute}, over {@code repository}, over the pure packages ({@code report}'s
 * views and cursors, {@code rollup}'s arithmetic, {@code journey}'s touches in memory), over the models, the feed items as read and the domain types. Read from the sources' import
 * lines (and fully qualified names), so a new arrow running back up fails here rather than in a review.
 */
class PackageLayersTest {

    private static final String BASE = "io.closedloop.attribution";
    /** Higher imports lower; a package of the same layer only without a cycle. */
    private static final Map<String, Integer> LAYERS = Map.ofEntries(
            Map.entry("graphql", 5), Map.entry("feed", 5),
            Map.entry("service", 4), Map.entry("recompute", 4),
            Map.entry("repository", 3),
            Map.entry("report", 2), Map.entry("rollup", 2), Map.entry("journey", 2),
            Map.entry("model", 1), Map.entry("feeditem", 1),
            Map.entry("", 0));
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.closedloop\\.attribution\\.([a-z]+)\\.[A-Z]");

    @Test
    void importsRunDownTheLayersWithoutCycles() throws IOException {
        Map<String, Set<String>> imports = packageImports(Path.of("src/main/java", BASE.replace('.', '/')));
        assertEquals(LAYERS.keySet(), imports.keySet(), "every package has a layer (add a new one to LAYERS)");
        List<String> upward = new ArrayList<>();
        imports.forEach((from, targets) -> targets.forEach(to -> {
            if (LAYERS.get(to) > LAYERS.get(from)) {
                upward.add(name(from) + " -> " + name(to));
            }
        }));
        assertTrue(upward.isEmpty(), "imports running back up the layers: " + upward);
        for (String start : imports.keySet()) {
            assertTrue(!reaches(imports, start, start, new TreeSet<>()), "a package cycle through " + name(start) + ": " + imports);
        }
    }

    /** package (relative to BASE, "" for BASE itself) → the other packages of the service its classes name. */
    private static Map<String, Set<String>> packageImports(Path root) throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(file.getParent()).toString().replace('/', '.');
                Set<String> targets = out.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        targets.add(m.group(1));
                    }
                }
            }
        }
        return out;
    }

    private static boolean reaches(Map<String, Set<String>> imports, String from, String target, Set<String> seen) {
        for (String next : imports.getOrDefault(from, Set.of())) {
            if (next.equals(target) || seen.add(next) && reaches(imports, next, target, seen)) {
                return true;
            }
        }
        return false;
    }

    private static String name(String pkg) {
        return pkg.isEmpty() ? BASE : pkg;
    }
}
