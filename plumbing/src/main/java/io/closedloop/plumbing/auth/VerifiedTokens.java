package io.closedloop.plumbing.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.smallrye.jwt.runtime.auth.MpJwtValidator;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Duration;

/**
 * Remembers a bearer token smallrye-jwt has verified, for at most a minute and never past its expiry, so a dashboard's
 * requests with the same token are not each parsed and signature-checked again, neither by the gateway nor by the
 * subgraph it forwards the caller's token to, nor a consumer's service token by the producer of its feeds (the RS256
 * check and the token's JSON were a fifth of the gateway's CPU per request and 6 % of attribution's per report). Keyed
 * by the whole token text: only the very token verified is accepted without a check; a token that fails verification is
 * never kept. Tried before smallrye-jwt's own validator, which it calls for every token it does not know. In every
 * service (plumbing's beans are discovered in each).
 */
@ApplicationScoped
public class VerifiedTokens implements IdentityProvider<TokenAuthenticationRequest> {

    private static final Duration KEPT = Duration.ofMinutes(1);
    /** The identity's attribute naming the HTTP request it was verified in (smallrye-jwt sets it). */
    private static final String REQUEST = RoutingContext.class.getName();

    private final MpJwtValidator validator;
    private final Cache<String, SecurityIdentity> verified = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(KEPT)
            .executor(Runnable::run).build();

    public VerifiedTokens(MpJwtValidator validator, MeterRegistry metrics) {
        this.validator = validator;
        Gauge.builder("closedloop.verified.tokens", verified, Cache::estimatedSize)
                .description("Bearer tokens this service verified in the last minute and accepts again without a check").register(metrics);
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public int priority() {
        return validator.priority() + 1;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String token = request.getToken().getToken();
        SecurityIdentity known = verified.getIfPresent(token);
        if (known != null && unexpired(known)) {
            return Uni.createFrom().item(inRequest(known, HttpSecurityUtils.getRoutingContextAttribute(request)));
        }
        return validator.authenticate(request, context).invoke(identity -> {
            if (identity != null && unexpired(identity)) {
                // Kept without the request it came in (which would otherwise be held, and handed to the next requests).
                verified.put(token, inRequest(identity, null));
            }
        });
    }

    /** The identity as verified, naming {@code request} as the one it is for. */
    private static SecurityIdentity inRequest(SecurityIdentity identity, RoutingContext request) {
        return QuarkusSecurityIdentity.builder(identity).addAttribute(REQUEST, request).build();
    }

    private static boolean unexpired(SecurityIdentity identity) {
        return identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getExpirationTime() * 1000 > System.currentTimeMillis();
    }
}
