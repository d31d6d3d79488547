package org.deqbench.plan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A node process for {@link RunLockTest}: runs {@code simulate/<task>} of the given spec through
 * {@link NodeExecutor} with a stage that writes one file, says "writing", waits until a release file
 * exists (at most a minute) and writes a second file. Args: spec, run directory, task, release file.
 */
public final class SlowNodeMain {
    private SlowNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        Path release = Path.of(args[3]);
        Stage slow = new Stage() {
            @Override
            public String name() {
                return "simulate";
            }

            @Override
            public void run(NodeContext ctx) throws Exception {
                ctx.output().writeJson("first.json", Map.of("part", 1), "test", "written before the wait");
                System.out.println("writing");
                System.out.flush();
                for (int i = 0; i < 600 && !Files.exists(release); i++) {
                    Thread.sleep(100);
                }
                Files.writeString(ctx.output().resolve("second.txt"), "done");
                ctx.output().addFile("second.txt", "test", "text", "written after the wait");
            }
        };
        try {
            NodeExecutor.run(slow, Path.of(args[0]), Path.of(args[1]), args[2], null, true);
        } catch (RunLock.BusyException e) {
            System.out.println("busy: " + e.getMessage());
            System.exit(3);
        }
    }
}
