package io.closedloop.attribution.graphql;

import graphql.schema.DataFetchingEnvironment;
import io.smallrye.graphql.api.Context;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderFactory;
import org.dataloader.Try;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Answers a field with arguments for every object of a request it is asked of at once: the field's method queues its
 * object's id with the arguments it was asked with (graphql-java DataLoaders of the request), and once graphql-java has
 * fetched the level the objects are on, each distinct set of arguments is answered by one call of the field's batch with
 * every id asked under it. A federation gateway asks a field of all the entities of one {@code _entities} request; so a
 * field asked of N entities costs its batch's statements, not N times them.
 *
 * <p>Why not SmallRye's own batching (a {@code @Source List<T>} method): it calls the method once for every object the field
 * was asked of in the request with the arguments the first was asked with, so two aliases asking a field with different
 * arguments (two models side by side) would both get the first one's answer. SmallRye's batching serves a field without
 * arguments ({@code Account.engagement}); that batch operation is also what makes SmallRye give each request the
 * DataLoaderRegistry these loaders join (without one, {@link #load} fails rather than answering one object at a time).
 */
final class FieldBatches {

    private FieldBatches() {
    }

    /** The answers for {@code ids} (distinct) under {@code arguments}, in the order of the ids. */
    @FunctionalInterface
    interface Batch<A, V> {
        Uni<List<Try<V>>> answer(A arguments, List<String> ids);
    }

    /** {@code values} as the answers of a batch none of whose objects fails alone. */
    static <V> List<Try<V>> all(List<V> values) {
        return values.stream().map(Try::succeeded).toList();
    }

    /** One object asked under one set of arguments: the loader's key, compared by value. */
    private record Asked<A>(A arguments, String id) {
    }

    /**
     * {@code field}'s value for the object {@code id}, asked with {@code arguments} (everything the answer depends on
     * besides the id: the workspace, the field's arguments; compared with equals, so records of values), answered with
     * every other object of this request asked the same by one call of {@code batch}. Call it from the field's method
     * itself, not later (a Uni's subscription), so the object is queued before graphql-java dispatches its level.
     */
    static <A, V> Uni<V> load(Context context, String field, A arguments, String id, Batch<A, V> batch) {
        DataLoader<Asked<A>, V> loader = context.unwrap(DataFetchingEnvironment.class).getDataLoaderRegistry()
                .computeIfAbsent(field, name -> DataLoaderFactory.<Asked<A>, V>newDataLoaderWithTry(
                        (List<Asked<A>> asked) -> answer(asked, batch)));
        return Uni.createFrom().completionStage(loader.load(new Asked<>(arguments, id)));
    }

    /** The answers of {@code asked} in its order: one batch per set of arguments, one after the other. */
    private static <A, V> CompletionStage<List<Try<V>>> answer(List<Asked<A>> asked, Batch<A, V> batch) {
        Map<A, List<Integer>> positions = new LinkedHashMap<>();
        for (int i = 0; i < asked.size(); i++) {
            positions.computeIfAbsent(asked.get(i).arguments(), a -> new ArrayList<>()).add(i);
        }
        List<Try<V>> answers = new ArrayList<>(asked.size());
        for (int i = 0; i < asked.size(); i++) {
            answers.add(null);
        }
        return Multi.createFrom().iterable(positions.entrySet())
                .onItem().transformToUniAndConcatenate(group -> {
                    List<Integer> at = group.getValue();
                    List<String> ids = at.stream().map(i -> asked.get(i).id()).toList();
                    // Deferred: a batch that throws (an argument refused) fails its own group only, as one failing later.
                    return Uni.createFrom().deferred(() -> batch.answer(group.getKey(), ids))
                            .map(values -> {
                                if (values.size() != ids.size()) {
                                    throw new IllegalStateException("a batch of " + ids.size() + " answered " + values.size());
                                }
                                return values;
                            })
                            .onFailure().recoverWithItem(failure -> ids.stream().map(id -> Try.<V>failed(failure)).toList())
                            .invoke(values -> {
                                for (int k = 0; k < at.size(); k++) {
                                    answers.set(at.get(k), values.get(k));
                                }
                            });
                })
                .collect().last()
                .map(done -> answers)
                .subscribeAsCompletionStage();
    }
}
