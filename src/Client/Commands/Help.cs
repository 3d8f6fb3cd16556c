namespace Pcn.Client.Commands;

/// <summary>`pcn help`.</summary>
public static class Help
{
    /// <summary>Prints the usage; returns 0.</summary>
    public static int Print(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine("""
            pcn — train deep predictive coding networks (µPC, standard PC, backprop with Depth-µP) on an Orleans cluster

            pcn train [options]      train a network; without --cluster it hosts a silo in this process
              --dataset fashion-mnist|mnist  (fashion-mnist)   --data-dir DIR   (/usr/share/datasets/fashion-mnist)
              --depth H (8)  --width N (128)  --activation relu|tanh|linear|leaky_relu|gelu|hard_tanh|selu|silu (relu)
              --param mupc|sp|depth_mup (mupc; depth_mup for bp)  --loss mse|ce (mse)  --no-skips
              --algorithm pc|bp (pc)  --lr η (0.1; 0.01 for bp)  --beta β (0.5)  --steps T (H)
              --batch-size B (64)  --epochs E (1)  --seed S (0)  --test-every K (300)  --batch-limit N
              --limit-train N  --limit-test N  --run-id ID  --runs-dir DIR (runs)  --cluster host:port[,...]  --quiet
              --early-stop A (15: stop as failed when test accuracy < A% at an evaluation, or the loss is not finite; 0 = off)
              --metrics-port P  (embedded silo's /metrics and /health port; default: a free one, printed at start)
              --backend cpu|cuda (cpu; the embedded silo's compute: cuda needs an NVIDIA GPU; a cluster's silos choose with pcn-silo --backend)
              --checkpoint-every K|auto (auto: paced by time, at most 2.5% of training time and at least 30 s apart; K: every K batches; 0: only at the end)
              --init-from FILE  (start from weights written by `pcn export`)
            pcn train --resume ID [--cluster host:port[,...]] [--runs-dir DIR] [--quiet]
                                     continue a cancelled, failed or interrupted run from its last checkpoint
            pcn sweep [train options] [--name S] [--sweep-dir DIR] [--parallel K]
                                     a grid: --depth, --width, --param, --algorithm, --activation, --lr, --beta and
                                     --seed take comma-separated lists; K points run at once; resumable; the table
                                     goes to DIR/results.csv and results.json (DIR: sweeps/S)
            pcn diagnose [--toy] [--depth H (15)] [--width N (128)] [--activation linear] [--param mupc] [--no-skips] [--seed S]
                                     κ of the activity Hessian at feedforward init, per-layer energies and norms
            pcn plot [--sweep DIR ...] [--table results.csv ...] [--run results.json ...] [--out DIR (plots)]
                                     PNGs: accuracy over training, accuracy vs depth, η×β loss heatmaps, per-layer energy;
                                     --table plots a sweep's results.csv without its runs/
            The commands below act on the runs of --cluster host:port[,...], or without it on those of --runs-dir DIR (runs):
            pcn status                   runs, their state and failure
            pcn attach --run ID [--quiet]  follow a running run to its end (as pcn train does); writes its results.json
            pcn results --run ID         write the run's results.json (any state) from the history the cluster keeps
            pcn eval --run ID            test accuracy of a finished run's weights
            pcn export --run ID --out FILE  a finished run's weights and configuration as .npz (numpy.load reads it)
            pcn drop --run ID [--keep-checkpoints]  forget a finished run: layers, metric series, stored state, checkpoints
            pcn help

            Ctrl-C stops a run cleanly (state cancelled, results kept). Results: {runs-dir}/{run-id}/results.json.
            """);
        return 0;
    }
}
