package io.closedloop.ingestion.segment;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Content types, encodings and decompression of Segment request bodies (DESIGN §3 "Bad input"). */
public final class Bodies {

    private Bodies() {
    }

    /**
     * Accepts {@code application/json}, {@code text/plain} and {@code application/x-www-form-urlencoded} (any
     * parameters, any case; all carry JSON) and no content type at all; anything else is 415.
     */
    public static void checkContentType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return;
        }
        String base = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!base.equals("application/json") && !base.equals("text/plain") && !base.equals("application/x-www-form-urlencoded")) {
            throw new SegmentException(415, "Content-Type: '" + contentType.strip()
                    + "' is not accepted; send JSON as application/json, text/plain or application/x-www-form-urlencoded");
        }
    }

    /** Whether the body is gzipped: {@code gzip} (or {@code x-gzip}); identity or none is plain; anything else is 415. */
    public static boolean isGzip(String contentEncoding) {
        if (contentEncoding == null || contentEncoding.isBlank()) {
            return false;
        }
        String e = contentEncoding.strip().toLowerCase(Locale.ROOT);
        return switch (e) {
            case "identity" -> false;
            case "gzip", "x-gzip" -> true;
            default -> throw new SegmentException(415, "Content-Encoding: '" + contentEncoding.strip()
                    + "' is not accepted; send identity or gzip");
        };
    }

    /**
     * Inflates a gzip body, refusing it (413) as soon as it grows past {@code maxBytes}: a
     * compression bomb is never inflated whole.
     *
     * @return a buffer whose first {@code length[0]} bytes are the body
     */
    public static byte[] gunzip(byte[] compressed, int compressedLength, int maxBytes, int[] length) {
        byte[] out = new byte[Math.min(maxBytes + 1, Math.max(8192, compressedLength * 4))];
        int n = 0;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed, 0, compressedLength), 8192)) {
            while (true) {
                if (n == out.length) {
                    if (out.length > maxBytes) {
                        throw SegmentException.tooLarge("body: more than " + maxBytes + " bytes once decompressed");
                    }
                    out = Arrays.copyOf(out, Math.min(maxBytes + 1, out.length * 2));
                }
                int r = in.read(out, n, out.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        } catch (ZipException | java.io.EOFException e) {
            throw SegmentException.badRequest("body: not valid gzip (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw SegmentException.badRequest("body: cannot be decompressed (" + e.getMessage() + ")");
        }
        if (n > maxBytes) {
            throw SegmentException.tooLarge("body: more than " + maxBytes + " bytes once decompressed");
        }
        length[0] = n;
        return out;
    }
}
