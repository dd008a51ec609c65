package io.closedloop.gateway.federation;

import graphql.language.Definition;
import graphql.language.Directive;
import graphql.language.DirectiveDefinition;
import graphql.language.DirectivesContainer;
import graphql.language.Document;
import graphql.language.EnumTypeDefinition;
import graphql.language.EnumValue;
import graphql.language.EnumValueDefinition;
import graphql.language.FieldDefinition;
import graphql.language.InputObjectTypeDefinition;
import graphql.language.InputValueDefinition;
import graphql.language.ObjectTypeDefinition;
import graphql.language.ScalarTypeDefinition;
import graphql.language.SchemaDefinition;
import graphql.language.StringValue;
import graphql.language.TypeDefinition;
import graphql.parser.Parser;
import graphql.parser.ParserOptions;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.UnExecutableSchemaGenerator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The supergraph the subgraphs compose to (Apollo Federation 2, {@code @apollo/composition}), read once: the public API
 * schema (the supergraph without its join/link machinery and without what is {@code @inaccessible}), and for every object
 * type and field which subgraphs resolve it and by which key an entity is fetched from each. Covers the subset of
 * Federation 2 the subgraphs use: object types, single-field keys, {@code @join__field(graph:)} without requires,
 * provides or overrides (the constructor refuses anything else, so a subgraph starting to use them fails loudly).
 * Pure: no Quarkus, no I/O.
 */
public final class Supergraph {

    /** Where the fields of one object type are resolved. */
    private record ObjectType(Map<String, String> keys, List<String> graphs, Map<String, List<String>> fieldGraphs) {
    }

    private final Map<String, String> graphNames = new LinkedHashMap<>();
    private final Map<String, ObjectType> objects = new LinkedHashMap<>();
    private final GraphQLSchema apiSchema;

    private Supergraph(Document supergraph) {
        for (Definition<?> definition : supergraph.getDefinitions()) {
            if (definition instanceof EnumTypeDefinition e && e.getName().equals("join__Graph")) {
                e.getEnumValueDefinitions().forEach(v -> graphNames.put(v.getName(), stringArgument(v.getDirectives("join__graph").get(0), "name")));
            }
        }
        List<Definition> api = new ArrayList<>();
        for (Definition<?> definition : supergraph.getDefinitions()) {
            if (definition instanceof ObjectTypeDefinition o && !internal(o.getName())) {
                readObject(o);
            }
            Definition<?> visible = visible(definition);
            if (visible != null) {
                api.add(visible);
            }
        }
        this.apiSchema = UnExecutableSchemaGenerator.makeUnExecutableSchema(
                new SchemaParser().buildRegistry(Document.newDocument().definitions(api).build()));
    }

    /** The supergraph of {@code sdl}; an {@link IllegalArgumentException} for a Federation feature it does not cover. */
    public static Supergraph parse(String sdl) {
        ParserOptions options = ParserOptions.getDefaultSdlParserOptions().transform(o -> o.maxTokens(Integer.MAX_VALUE)
                .maxCharacters(Integer.MAX_VALUE).maxWhitespaceTokens(Integer.MAX_VALUE));
        return new Supergraph(Parser.parse(new graphql.parser.ParserEnvironment.Builder().document(sdl).parserOptions(options).build()));
    }

    /** The public schema: what clients validate against and introspect. */
    public GraphQLSchema apiSchema() {
        return apiSchema;
    }

    /** The subgraphs (their names, as {@code @join__graph} gives them) that resolve {@code field} of {@code type}, in supergraph order. */
    public List<String> graphsResolving(String type, String field) {
        ObjectType object = objects.get(type);
        if (object == null) {
            throw new IllegalArgumentException("not an object type of the supergraph: " + type);
        }
        return object.fieldGraphs().getOrDefault(field, object.graphs());
    }

    /** The key field by which {@code graph} resolves entities of {@code type}, or null when it does not. */
    public String key(String type, String graph) {
        ObjectType object = objects.get(type);
        return object == null ? null : object.keys().get(graph);
    }

    private void readObject(ObjectTypeDefinition type) {
        Map<String, String> keys = new LinkedHashMap<>();
        List<String> graphs = new ArrayList<>();
        for (Directive joinType : type.getDirectives("join__type")) {
            String graph = graph(joinType);
            graphs.add(graph);
            String key = joinType.getArgument("key") == null ? null : stringArgument(joinType, "key");
            boolean resolvable = joinType.getArgument("resolvable") == null
                    || ((graphql.language.BooleanValue) joinType.getArgument("resolvable").getValue()).isValue();
            if (key != null && resolvable) {
                if (!key.matches("[_A-Za-z][_0-9A-Za-z]*")) {
                    throw new IllegalArgumentException(type.getName() + ": only single-field keys are planned, not '" + key + "'");
                }
                keys.put(graph, key);
            }
        }
        Map<String, List<String>> fieldGraphs = new LinkedHashMap<>();
        for (FieldDefinition field : type.getFieldDefinitions()) {
            List<Directive> joins = field.getDirectives("join__field");
            if (joins.isEmpty()) {
                continue;
            }
            List<String> resolving = new ArrayList<>();
            for (Directive join : joins) {
                for (String unsupported : List.of("requires", "provides", "external", "override")) {
                    if (join.getArgument(unsupported) != null) {
                        throw new IllegalArgumentException(type.getName() + "." + field.getName() + ": @join__field(" + unsupported
                                + ") is not planned by this gateway");
                    }
                }
                if (join.getArgument("graph") != null) {
                    resolving.add(graph(join));
                }
            }
            fieldGraphs.put(field.getName(), List.copyOf(resolving));
        }
        objects.put(type.getName(), new ObjectType(keys, List.copyOf(graphs), fieldGraphs));
    }

    private String graph(Directive join) {
        return graphNames.get(((EnumValue) join.getArgument("graph").getValue()).getName());
    }

    private static String stringArgument(Directive directive, String name) {
        return ((StringValue) directive.getArgument(name).getValue()).getValue();
    }

    /** The definition as the public schema has it (no join or link directives, nothing inaccessible), or null when it has none. */
    private static Definition<?> visible(Definition<?> definition) {
        if (definition instanceof DirectiveDefinition) {
            return null;
        }
        if (definition instanceof SchemaDefinition schema) {
            return schema.transform(b -> b.directives(List.of()));
        }
        if (definition instanceof TypeDefinition<?> type && (internal(type.getName()) || inaccessible(type))) {
            return null;
        }
        if (definition instanceof ObjectTypeDefinition o) {
            return o.transform(b -> b.directives(List.of()).fieldDefinitions(o.getFieldDefinitions().stream()
                    .filter(f -> !inaccessible(f))
                    .map(f -> f.transform(fb -> fb.directives(publicDirectives(f)).inputValueDefinitions(arguments(f.getInputValueDefinitions()))))
                    .toList()));
        }
        if (definition instanceof InputObjectTypeDefinition i) {
            return i.transform(b -> b.directives(List.of()).inputValueDefinitions(arguments(i.getInputValueDefinitions())));
        }
        if (definition instanceof EnumTypeDefinition e) {
            return e.transform(b -> b.directives(List.of()).enumValueDefinitions(e.getEnumValueDefinitions().stream()
                    .filter(v -> !inaccessible(v))
                    .map(v -> v.transform(vb -> vb.directives(publicDirectives(v))))
                    .toList()));
        }
        if (definition instanceof ScalarTypeDefinition s) {
            return s.transform(b -> b.directives(List.of()));
        }
        throw new IllegalArgumentException("a supergraph definition this gateway does not plan: " + definition);
    }

    private static List<InputValueDefinition> arguments(List<InputValueDefinition> arguments) {
        return arguments.stream().filter(a -> !inaccessible(a)).map(a -> a.transform(b -> b.directives(publicDirectives(a)))).toList();
    }

    /** Only {@code @deprecated} reaches clients. */
    private static List<Directive> publicDirectives(DirectivesContainer<?> element) {
        return element.getDirectives("deprecated");
    }

    private static boolean inaccessible(DirectivesContainer<?> element) {
        return !element.getDirectives("inaccessible").isEmpty();
    }

    private static boolean internal(String typeName) {
        return typeName.startsWith("join__") || typeName.startsWith("link__");
    }
}
