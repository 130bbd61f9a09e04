package dev.zero.conformance;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test twice, once with a {@link Root} on the native filesystem and once with a
 * {@link Root} in a Zero mount shared by the test class. A failure on "native" means the check
 * is wrong; a failure on "zero" only means a filesystem bug.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(BothRoots.class)
public @interface OnBothRoots {}
