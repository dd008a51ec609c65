package io.closedloop.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Mints RS256 JWTs with the claims the services expect (DESIGN §9): {@code iss}, {@code sub},
 * {@code groups} (roles) and {@code workspace}. For development, the demo and tests; production
 * tokens come from the deployment's OIDC provider.
 */
public final class DevTokens {

    /** The issuer every service accepts unless configured otherwise ({@code mp.jwt.verify.issuer}). */
    public static final String DEFAULT_ISSUER = "closedloop";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrivateKey key;
    private final String issuer;

    public DevTokens(PrivateKey key, String issuer) {
        this.key = key;
        this.issuer = issuer;
    }

    public static DevTokens of(DevKeys keys) {
        return new DevTokens(keys.privateKey(), DEFAULT_ISSUER);
    }

    /** A token for {@code workspace} with {@code roles}, valid for {@code ttl}. */
    public String mint(String subject, String workspace, List<String> roles, Duration ttl) {
        return sign(claims(subject, workspace, roles, ttl));
    }

    /** A token issued at {@code issuedAt} (in the past: tests of the services' maximum token age), valid until {@code expires}. */
    public String mintIssuedAt(String subject, String workspace, List<String> roles, Instant issuedAt, Instant expires) {
        Map<String, Object> claims = claims(subject, workspace, roles, Duration.ZERO);
        claims.put("iat", issuedAt.getEpochSecond());
        claims.put("exp", expires.getEpochSecond());
        return sign(claims);
    }

    private Map<String, Object> claims(String subject, String workspace, List<String> roles, Duration ttl) {
        Instant now = Instant.now();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", subject);
        claims.put("upn", subject);
        claims.put("groups", roles);
        if (workspace != null) {
            claims.put("workspace", workspace);
        }
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(ttl).getEpochSecond());
        claims.put("jti", UUID.randomUUID().toString());
        return claims;
    }

    /**
     * A `service` token for service-to-service calls: reads the given feeds ({@code producer/stream}) of every workspace,
     * nothing else; its audience is their producers.
     */
    public String mintService(String subject, List<String> feeds, Duration ttl) {
        Map<String, Object> claims = claims(subject, null, List.of("service"), ttl);
        claims.put("aud", feeds.stream().map(f -> f.substring(0, f.indexOf('/'))).distinct().sorted().toList());
        claims.put("streams", feeds);
        return sign(claims);
    }

    private String sign(Map<String, Object> claims) {
        try {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
            String payload = b64.encodeToString(JSON.writeValueAsBytes(claims));
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + b64.encodeToString(signature.sign());
        } catch (GeneralSecurityException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot sign token", e);
        }
    }
}
