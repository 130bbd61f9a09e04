package dev.zero.conformance;

import java.nio.file.Path;

/**
 * A fresh, empty directory (mode 0755) for one test, either on the native filesystem or inside
 * the Zero mount. {@code name} is "native" or "zero".
 */
public record Root(String name, Path dir) {
    public Path resolve(String relative) {
        return dir.resolve(relative);
    }
}
