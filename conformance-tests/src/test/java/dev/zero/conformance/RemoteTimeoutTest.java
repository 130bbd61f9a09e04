package dev.zero.conformance;

import static dev.zero.conformance.ErrnoAssertions.assertErrno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zero.b2emulator.Fault;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Zero only, against the B2 emulator dropping every connection: reading an evicted file fails
 * with EIO after about remoteTimeoutSeconds (15 s by default, as the README says), not twice
 * that, and reads again as soon as B2 is back.
 */
class RemoteTimeoutTest {
    private TieringRig rig;

    @BeforeEach
    void requireTheJar() {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
    }

    @AfterEach
    void cleanUp() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void aReadWhileB2IsDownFailsAfterTheDefault15Seconds(TestInfo test) throws IOException {
        assertReadFailsWithin(test, "", Duration.ofSeconds(10), Duration.ofSeconds(22));
    }

    @Test
    void aReadWhileB2IsDownFailsAfterTheConfiguredTimeout(TestInfo test) throws IOException {
        assertReadFailsWithin(test, "remoteTimeoutSeconds: 4\n", Duration.ofSeconds(2), Duration.ofSeconds(8));
    }

    private void assertReadFailsWithin(TestInfo test, String settings, Duration atLeast, Duration atMost) throws IOException {
        rig = TieringRig.withEmulator(test.getTestMethod().orElseThrow().getName(), 0.0005);
        rig.setMoreSettings(settings);
        Path mnt = rig.mount();
        Path file = mnt.resolve("evicted");
        byte[] content = Data.random(5, 1 << 20);
        Sys.writeFile(file, content);
        rig.assertTierOnceSucceeds(); // uploaded and evicted: the target is smaller than the file
        rig.emulator().faults().add(Fault.outage());

        long start = System.nanoTime();
        assertErrno(Errno.EIO, () -> Sys.readFile(file), "read of an evicted file while B2 is down");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(atLeast) >= 0 && took.compareTo(atMost) <= 0,
                "EIO after " + took.toMillis() + " ms; expected between " + atLeast.toSeconds() + " and " + atMost.toSeconds() + " s");

        rig.emulator().faults().clear();
        assertArrayEquals(content, Sys.readFile(file), "the file reads as soon as B2 is back");
    }
}
