package io.closedloop.identity.graph;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Registered domains and the free-mail/disposable list.
 *
 * <p>Limitation: the public-suffix list is a compact built-in subset (resource
 * {@code identity/public-suffixes.txt}: common two-label suffixes such as co.uk, com.au, co.jp),
 * not the full Mozilla list; a host under an unlisted multi-label suffix resolves to its last two
 * labels.
 */
public final class Domains {

    private static final Set<String> SUFFIXES = load("identity/public-suffixes.txt");
    private static final Set<String> FREE_MAIL = load("identity/free-mail-domains.txt");

    private Domains() {
    }

    /** The registered domain of a host or email domain (lower-cased, {@code www.} and subdomains stripped); null for an empty host. */
    public static String registeredDomain(String host) {
        if (host == null) {
            return null;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        int at = h.lastIndexOf('@');
        if (at >= 0) {
            h = h.substring(at + 1);
        }
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.isEmpty()) {
            return null;
        }
        String[] labels = h.split("\\.");
        if (labels.length <= 2) {
            return h;
        }
        String lastTwo = labels[labels.length - 2] + "." + labels[labels.length - 1];
        int keep = SUFFIXES.contains(lastTwo) ? 3 : 2;
        StringBuilder out = new StringBuilder();
        for (int i = Math.max(0, labels.length - keep); i < labels.length; i++) {
            out.append(out.isEmpty() ? "" : ".").append(labels[i]);
        }
        return out.toString();
    }

    /**
     * Whether a registered domain is free-mail or disposable, so it never identifies a company.
     * Entries ending in {@code .*} (yahoo.*) match that label under any suffix.
     */
    public static boolean isFreeMail(String registeredDomain) {
        if (registeredDomain == null) {
            return true;
        }
        if (FREE_MAIL.contains(registeredDomain)) {
            return true;
        }
        int dot = registeredDomain.indexOf('.');
        return dot > 0 && FREE_MAIL.contains(registeredDomain.substring(0, dot) + ".*");
    }

    /** The corporate registered domain of an email, or null when it is free-mail, disposable or not an email. */
    public static String corporateDomain(Identifier identifier) {
        String domain = identifier.emailDomain();
        return domain == null || isFreeMail(domain) ? null : domain;
    }

    private static Set<String> load(String resource) {
        Set<String> entries = new HashSet<>();
        try (InputStream in = Domains.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                line = line.trim().toLowerCase(Locale.ROOT);
                if (!line.isEmpty() && !line.startsWith("#")) {
                    entries.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(entries);
    }
}
