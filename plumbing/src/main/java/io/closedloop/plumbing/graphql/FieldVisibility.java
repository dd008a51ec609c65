package io.closedloop.plumbing.graphql;

import graphql.schema.GraphQLSchema;
import graphql.schema.visibility.DefaultGraphqlFieldVisibility;
import io.smallrye.graphql.spi.EventingService;

/**
 * Every field of every service's schema is visible, checked for free: SmallRye GraphQL turns its
 * default field visibility (the setting's value "default") into a graphql-java {@code BlockedFields}
 * with the regular expression "default", which blocks nothing but is matched against the qualified
 * name of every field it resolves (a report row has 17). Before the schema is built, this gives it
 * graphql-java's own default visibility instead. A service that set
 * {@code quarkus.smallrye-graphql.field-visibility} would lose that setting here; none does.
 * Registered through {@code META-INF/services} (SmallRye loads eventing services with the
 * ServiceLoader; a null config key means always on).
 */
public class FieldVisibility implements EventingService {

    @Override
    public String getConfigKey() {
        return null;
    }

    @Override
    public GraphQLSchema.Builder beforeSchemaBuild(GraphQLSchema.Builder builder) {
        GraphQLSchema schema = builder.build();
        return builder.codeRegistry(schema.getCodeRegistry()
                .transform(registry -> registry.fieldVisibility(DefaultGraphqlFieldVisibility.DEFAULT_FIELD_VISIBILITY)));
    }
}
