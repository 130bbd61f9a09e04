package dev.zero.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.Store.CloseableResource;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.opentest4j.AssertionFailedError;

/**
 * The extension behind {@link OnBothRoots}. Per test class it keeps one native temp directory
 * and one Zero mount (started on first use, unmounted after the class with its exit code
 * checked); per test it hands out a fresh directory in each. The Zero invocation is skipped,
 * with a message, only when the zero-cli jar does not exist.
 */
final class BothRoots implements TestTemplateInvocationContextProvider {
    private static final Namespace NAMESPACE = Namespace.create(BothRoots.class);

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return true;
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        return Stream.of(invocation("native", key -> new NativeArea()), invocation("zero", key -> {
            Assumptions.assumeTrue(ZeroMount.jarAvailable(),
                    "Zero half skipped: no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
            return new ZeroArea();
        }));
    }

    private static TestTemplateInvocationContext invocation(String name, Function<String, Area> newArea) {
        BeforeEachCallback makeRoot = context -> {
            Area area = classStore(context).getOrComputeIfAbsent(name, newArea, Area.class);
            Path dir = Sys.mkdir(area.base().resolve(context.getRequiredTestMethod().getName()), 0755);
            context.getStore(NAMESPACE).put(Root.class, new Root(name, dir));
        };
        ParameterResolver giveRoot = new ParameterResolver() {
            @Override
            public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
                return parameter.getParameter().getType() == Root.class;
            }

            @Override
            public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
                return context.getStore(NAMESPACE).get(Root.class, Root.class);
            }
        };
        return new TestTemplateInvocationContext() {
            @Override
            public String getDisplayName(int invocationIndex) {
                return name;
            }

            @Override
            public List<Extension> getAdditionalExtensions() {
                return List.of(makeRoot, giveRoot, nameInFailures(name));
            }
        };
    }

    /** Puts "[native]" or "[zero]" in front of failure messages, so that every report says which root failed. */
    private static TestExecutionExceptionHandler nameInFailures(String name) {
        return (context, failure) -> {
            String message = "[" + name + "] " + failure.getMessage();
            Throwable renamed;
            if (failure instanceof AssertionFailedError assertion) {
                renamed = assertion.isExpectedDefined()
                        ? new AssertionFailedError(message, assertion.getExpected(), assertion.getActual(), failure.getCause())
                        : new AssertionFailedError(message, failure.getCause());
            } else if (failure instanceof AssertionError || failure instanceof ErrnoException) {
                renamed = new AssertionError(message, failure.getCause());
            } else {
                throw failure;
            }
            renamed.setStackTrace(failure.getStackTrace());
            throw renamed;
        };
    }

    private static ExtensionContext.Store classStore(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent()) {
            classContext = classContext.getParent().orElseThrow();
        }
        return classContext.getStore(NAMESPACE);
    }

    /** Where a test class's directories live; closed after the class. */
    private interface Area extends CloseableResource {
        Path base();
    }

    private static final class NativeArea implements Area {
        private final Path base;

        NativeArea() {
            try {
                base = Files.createTempDirectory("zero-conformance-native-");
                Sys.chmod(base, 0755);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Path base() {
            return base;
        }

        @Override
        public void close() {
            Trees.deleteRecursively(base);
        }
    }

    private static final class ZeroArea implements Area {
        private final Path work;
        private ZeroMount mount;
        private Throwable mountFailure;

        ZeroArea() {
            try {
                work = Files.createTempDirectory("zero-conformance-zero-");
                Sys.chmod(work, 0755);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                mount = ZeroMount.start(work.resolve("mnt"), work.resolve("cache"));
            } catch (Throwable e) {
                mountFailure = e;
            }
        }

        @Override
        public Path base() {
            if (mountFailure != null) {
                throw new AssertionError("Zero could not be mounted for this test class: " + mountFailure.getMessage(), mountFailure);
            }
            return mount.mountpoint();
        }

        @Override
        public void close() {
            try {
                if (mount != null) {
                    mount.unmount();
                }
            } finally {
                if (mount != null) {
                    mount.close();
                }
                if (mount == null || !ZeroMount.isMounted(mount.mountpoint())) {
                    Trees.deleteRecursively(work);
                }
            }
        }
    }
}
