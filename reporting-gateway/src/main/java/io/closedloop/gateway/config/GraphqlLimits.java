package io.closedloop.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The limits of the public graph (DESIGN §6), checked before any subgraph is called. */
@ConfigMapping(prefix = "closedloop.graphql")
public interface GraphqlLimits {

    /** Deepest field nesting; 15 leaves room for GraphiQL's introspection query (about 13), no report is deeper than 4. */
    @WithDefault("15")
    int maxDepth();

    /** Most fields in one operation, after fragments are expanded (introspection not counted). */
    @WithDefault("400")
    int maxFields();

    /** Most root fields in one operation, aliases counted (each may be a whole report). */
    @WithDefault("20")
    int maxRootFields();
}
