package io.closedloop.attribution.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The population the data-driven models learn from (DESIGN §4): journeys, converting or not, each
 * given as the channels of its touches in journey order. Stored compactly for millions of
 * journeys: channel ids in one flat int array with per-journey offsets.
 *
 * <p>Channel ids are the positions of the channel names sorted by code point, so the encoding
 * (and every result computed from it) does not depend on the order channels first appear in.
 */
public final class PathPopulation {

    private final List<String> channels;
    private final int[] touchChannels;
    private final int[] offsets;
    private final boolean[] converting;
    private final int convertingCount;

    private PathPopulation(List<String> channels, int[] touchChannels, int[] offsets, boolean[] converting) {
        this.channels = channels;
        this.touchChannels = touchChannels;
        this.offsets = offsets;
        this.converting = converting;
        int count = 0;
        for (boolean c : converting) {
            count += c ? 1 : 0;
        }
        this.convertingCount = count;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder that also takes journeys as ids of {@code channels} (a caller's dictionary, e.g. of the touches it holds),
     * so adding a journey looks nothing up; channels no journey uses are not part of the population.
     */
    public static Builder builder(List<String> channels) {
        Builder b = new Builder();
        for (String channel : channels) {
            b.ids.put(Objects.requireNonNull(channel, "channel"), b.names.size());
            b.names.add(channel);
        }
        return b;
    }

    /** Number of journeys. */
    public int size() {
        return converting.length;
    }

    public int convertingCount() {
        return convertingCount;
    }

    public boolean isConverting(int journey) {
        return converting[journey];
    }

    /** Number of touches of a journey. */
    public int length(int journey) {
        return offsets[journey + 1] - offsets[journey];
    }

    /** Total number of touches over all journeys. */
    public int touchCount() {
        return touchChannels.length;
    }

    /** The distinct channel names, sorted by code point; a channel's id is its index here. */
    public List<String> channels() {
        return channels;
    }

    public String channel(int journey, int touch) {
        return channels.get(channelId(journey, touch));
    }

    int channelId(int journey, int touch) {
        return touchChannels[offsets[journey] + touch];
    }

    /** Index of a journey's first touch in the flat touch arrays. */
    public int offset(int journey) {
        return offsets[journey];
    }

    /** Every touch's channel id, journey after journey (read only). */
    public int[] touchChannels() {
        return touchChannels;
    }

    /** Collects journeys in order; journey i of the population is the i-th one added. */
    public static final class Builder {
        private final Map<String, Integer> ids = new HashMap<>();
        private final List<String> names = new ArrayList<>();
        private int[] touchChannels = new int[1024];
        private int touchCount;
        private int[] offsets = new int[256];
        private boolean[] converting = new boolean[256];
        private int journeyCount;

        private Builder() {
        }

        public Builder add(boolean isConverting, String... channelsOfTouches) {
            return add(isConverting, Arrays.asList(channelsOfTouches));
        }

        /**
         * Adds one journey.
         *
         * @param isConverting      whether the journey converted
         * @param channelsOfTouches the channel of each touch, in journey order
         * @throws IllegalArgumentException for a journey with no touch (DESIGN §4 leaves those out
         *                                  of the population) or a null channel
         */
        public Builder add(boolean isConverting, List<String> channelsOfTouches) {
            room(channelsOfTouches.size());
            for (String channel : channelsOfTouches) {
                Objects.requireNonNull(channel, "channel");
                Integer id = ids.get(channel);
                if (id == null) {
                    id = names.size();
                    ids.put(channel, id);
                    names.add(channel);
                }
                touchChannels[touchCount++] = id;
            }
            converting[journeyCount] = isConverting;
            offsets[++journeyCount] = touchCount;
            return this;
        }

        /**
         * Adds one journey given as the ids {@code channelIds[from..to)} of the channels this builder was made with
         * ({@link #builder(List)}).
         */
        public Builder add(boolean isConverting, int[] channelIds, int from, int to) {
            room(to - from);
            for (int i = from; i < to; i++) {
                if (channelIds[i] < 0 || channelIds[i] >= names.size()) {
                    throw new IllegalArgumentException("no channel of id " + channelIds[i]);
                }
                touchChannels[touchCount++] = channelIds[i];
            }
            converting[journeyCount] = isConverting;
            offsets[++journeyCount] = touchCount;
            return this;
        }

        private void room(int touches) {
            if (touches == 0) {
                throw new IllegalArgumentException("journey " + journeyCount
                        + " has no touch; journeys with no touch are left out of the population");
            }
            if (journeyCount + 1 >= offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
                converting = Arrays.copyOf(converting, converting.length * 2);
            }
            if (touchCount + touches > touchChannels.length) {
                touchChannels = Arrays.copyOf(touchChannels, Math.max(touchChannels.length * 2, touchCount + touches));
            }
        }

        public PathPopulation build() {
            // Renumber the channels used by sorted name so the ids do not depend on the input order (nor on a dictionary's).
            boolean[] used = new boolean[names.size()];
            for (int i = 0; i < touchCount; i++) {
                used[touchChannels[i]] = true;
            }
            String[] sorted = java.util.stream.IntStream.range(0, names.size()).filter(i -> used[i]).mapToObj(names::get)
                    .toArray(String[]::new);
            Arrays.sort(sorted, Journey::compareByCodePoint);
            int[] remap = new int[names.size()];
            for (int i = 0; i < sorted.length; i++) {
                remap[ids.get(sorted[i])] = i;
            }
            int[] flat = new int[touchCount];
            for (int i = 0; i < touchCount; i++) {
                flat[i] = remap[touchChannels[i]];
            }
            return new PathPopulation(List.of(sorted), flat, Arrays.copyOf(offsets, journeyCount + 1),
                    Arrays.copyOf(converting, journeyCount));
        }
    }
}
