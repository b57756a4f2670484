package io.github.milvusautoscaler.cli;

/**
 * A child JVM for {@link OutputDirectoryTest}: creates a staging directory, prints its path, and waits to be
 * stopped, as a backtest does while it replays.
 */
public final class StagingProbe {

    private StagingProbe() {
    }

    public static void main(String[] args) throws Exception {
        OutputDirectory.Staging staging = OutputDirectory.Staging.create("milvus-autoscaler-probe-");
        java.nio.file.Files.writeString(staging.path().resolve("decisions.jsonl"), "{}\n");
        System.out.println(staging.path());
        System.out.flush();
        Thread.sleep(60_000);
    }
}
