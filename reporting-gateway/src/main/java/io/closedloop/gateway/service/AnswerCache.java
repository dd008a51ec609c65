package io.closedloop.gateway.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.closedloop.gateway.client.SubgraphClient;
import io.closedloop.gateway.config.SubgraphsConfig;
import io.vertx.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers kept while they are true: each with the data version (plumbing's DataVersion) of every subgraph that
 * contributed to it, read by the subgraph before it computed its part. A kept answer is served only after each of those
 * subgraphs has confirmed, in one cheap call each (in parallel), that its version is unchanged; so no answer outlives a
 * change of identity, CRM or attribution data, an erasure included, and no time limit is needed. Keyed by the caller's
 * token (hashed: the same workspace and roles), the document, the operation and the variables. Answers with errors,
 * mutations and answers from a subgraph that gave no version are never kept. Bounded by the bytes of the answers' JSON
 * ({@code closedloop.answer-cache.max-bytes}), least recently used out first, and kept at most
 * {@code closedloop.answer-cache.max-age} (5 min) for the few answers that change with time alone.
 */
@ApplicationScoped
public class AnswerCache {

    /** An answer's JSON and the version of each subgraph it came from. */
    public record Kept(Buffer json, Map<String, String> versions) {
    }

    private final SubgraphClient subgraphs;
    private final Cache<String, Kept> kept;

    public AnswerCache(SubgraphClient subgraphs, SubgraphsConfig config) {
        this.subgraphs = subgraphs;
        long maxBytes = config.answerCache().maxBytes();
        this.kept = maxBytes <= 0 ? null : Caffeine.newBuilder().maximumWeight(maxBytes)
                .weigher((String key, Kept k) -> (int) Math.min(Integer.MAX_VALUE, 2L * key.length() + k.json().length() + 200))
                // A bound besides the versions: a few answers change with time alone (an import job whose worker stopped
                // turns FAILED when its heartbeat is old enough, with no write).
                .expireAfterWrite(config.answerCache().maxAge())
                .executor(Runnable::run).build();
    }

    public boolean enabled() {
        return kept != null;
    }

    /** The key of a question asked with {@code token}. */
    public static String key(String token, String query, String operationName, String variablesJson) {
        return sha256(token) + '\n' + operationName + '\n' + variablesJson + '\n' + query;
    }

    /** The kept answer to {@code key}, when every subgraph it came from is still at the same version; else null. */
    public CompletionStage<Buffer> lookup(String key, String token) {
        Kept answer = kept == null ? null : kept.getIfPresent(key);
        if (answer == null) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Boolean>> checks = new ArrayList<>();
        answer.versions().forEach((graph, version) -> checks.add(subgraphs.dataVersion(graph, token)
                .thenApply(version::equals).toCompletableFuture()));
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).thenApply(x -> {
            if (checks.stream().allMatch(CompletableFuture::join)) {
                return answer.json();
            }
            kept.asMap().remove(key, answer);
            return null;
        });
    }

    public void keep(String key, Buffer json, Map<String, String> versions) {
        if (kept != null) {
            // A copy of exactly its bytes: the received buffer may have room for twice as many, which the weigher would not see.
            kept.put(key, new Kept(json.copy(), Map.copyOf(versions)));
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
