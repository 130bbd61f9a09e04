package dev.zero.b2emulator;

/**
 * The part of an object a download sends: all of it, or what a {@code Range: bytes=a-b},
 * {@code bytes=a-} or {@code bytes=-n} header asks for.
 *
 * @param first   offset of the first byte sent
 * @param last    offset of the last byte sent (first - 1 for an empty object)
 * @param total   size of the whole object
 * @param partial whether the answer is a 206 with {@code Content-Range}
 */
record ByteRange(long first, long last, long total, boolean partial) {

    static ByteRange of(String rangeHeader, long total) {
        if (rangeHeader == null) {
            return new ByteRange(0, total - 1, total, false);
        }
        String spec = rangeHeader.trim();
        if (!spec.startsWith("bytes=") || spec.contains(",")) {
            throw B2Error.badRequest("unsupported Range: " + rangeHeader);
        }
        String[] bounds = spec.substring("bytes=".length()).split("-", -1);
        if (bounds.length != 2) {
            throw B2Error.badRequest("bad Range: " + rangeHeader);
        }
        long first;
        long last;
        try {
            if (bounds[0].isEmpty()) {
                long suffix = Long.parseLong(bounds[1]);
                first = Math.max(0, total - suffix);
                last = total - 1;
            } else {
                first = Long.parseLong(bounds[0]);
                last = bounds[1].isEmpty() ? total - 1 : Math.min(Long.parseLong(bounds[1]), total - 1);
            }
        } catch (NumberFormatException e) {
            throw B2Error.badRequest("bad Range: " + rangeHeader);
        }
        if (first < 0 || first >= total || last < first) {
            throw new B2Error(416, "range_not_satisfiable", "Range " + rangeHeader + " is outside 0-" + (total - 1), null);
        }
        return new ByteRange(first, last, total, true);
    }

    long length() {
        return last - first + 1;
    }

    String contentRange() {
        return "bytes " + first + "-" + last + "/" + total;
    }
}
