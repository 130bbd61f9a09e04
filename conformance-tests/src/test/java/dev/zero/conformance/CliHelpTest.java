package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Zero only: what zero-cli tells about itself: --version everywhere, mount's help, completion. */
class CliHelpTest {
    private static final List<String> COMMANDS = List.of("mount", "tier", "status", "backup", "sync", "restore", "fsck", "gc", "b2-emulator");

    @BeforeEach
    void requireTheJar() {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
    }

    @Test
    void versionWorksOnEveryCommand() {
        for (String command : COMMANDS) {
            Shell.Result result = ZeroMount.cli(command, "--version");
            assertEquals(0, result.exitCode(), command + " --version: " + result.output());
            assertTrue(result.output().startsWith("zero "), command + " --version: " + result.output());
        }
    }

    @Test
    void mountHelpListsEveryConfigurationKeyAndTheExitCodes() {
        Shell.Result help = ZeroMount.cli("mount", "--help");
        assertEquals(0, help.exitCode(), help.output());
        for (String key : List.of("filesystemName", "targetDiskUsage", "minFreeDiskSpace", "capacity", "uploadDelaySeconds",
                "backupIntervalSeconds", "gcIntervalSeconds", "remoteTimeoutSeconds", "remoteDirectory", "accountId",
                "applicationKey", "bucketId", "b2Url", "metadataFile", "fuseLoop")) {
            assertTrue(help.output().contains(key), "mount --help names " + key + ":\n" + help.output());
        }
        for (String code : List.of("  0  ", "  1  ", "  2  ", "  3  ", "  4  ", "  5  ")) {
            assertTrue(help.output().contains(code), "mount --help explains exit code" + code + ":\n" + help.output());
        }
    }

    @Test
    void generateCompletionPrintsABashCompletionScript() {
        Shell.Result completion = ZeroMount.cli("generate-completion");
        assertEquals(0, completion.exitCode(), completion.output());
        assertTrue(completion.output().contains("complete -F") && completion.output().contains("mount"), completion.output());
    }
}
