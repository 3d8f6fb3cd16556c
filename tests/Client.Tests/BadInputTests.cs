using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace Pcn.Client.Tests;

/// <summary>
/// Bad inputs, each given to the real `pcn` or `pcn-silo` process: every one ends in one line on stderr that names the
/// input (prefix "pcn: " or "pcn-silo: "), exit 2 for an invalid option or 1 for a failing environment, no stack trace,
/// no embedded silo started, and earlier results left as they were. Nearly all fail before any silo starts, so the
/// whole table takes seconds.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]  // file modes and setpriv are the point of some rows
public sealed class BadInputTests(BadInputTests.Files files, ITestOutputHelper log) : IClassFixture<BadInputTests.Files>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, Case> Cases = BuildCases();

    public static TheoryData<string> Names() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task BadInput_EndsInOneLineNamingIt_WithoutStartingWork(string name)
    {
        Case c = Cases[name];
        // As root, permission rows run the program as nobody through setpriv (util-linux, part of every Debian system):
        // a row that cannot make file permissions apply fails rather than passing without its check.
        Assert.False(c.Unprivileged && !Processes.CanDropPrivileges, $"{name}: the tests run as root and /usr/bin/setpriv is missing, so file permissions cannot be made to apply (install util-linux)");

        string[] args = c.Args(files);
        string[] untouched = c.Untouched?.Invoke(files) ?? [];
        byte[][] before = [.. untouched.Select(File.ReadAllBytes)];

        (int code, string output, string error) = await Processes.RunAsync(c.Silo ? Processes.Silo : Processes.Pcn, args, Timeout, unprivileged: c.Unprivileged);

        string line = error.Trim();
        string shown = $"{(c.Silo ? "pcn-silo" : "pcn")} {string.Join(' ', args)} → exit {code}, stderr: {error}";
        log.WriteLine(shown);
        Assert.True(code == c.ExitCode, $"expected exit {c.ExitCode}: {shown}");
        Assert.True(line.Length > 0 && !line.Contains('\n', StringComparison.Ordinal), $"expected one line on stderr: {shown}");
        Assert.StartsWith(c.Silo ? "pcn-silo: " : "pcn: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        foreach (string mention in c.Mentions(files))
        {
            Assert.True(line.Contains(mention, StringComparison.Ordinal), $"expected '{mention}' in the message: {shown}");
        }

        Assert.DoesNotContain("embedded silo", output, StringComparison.Ordinal);
        for (int i = 0; i < untouched.Length; i++)
        {
            Assert.True(before[i].AsSpan().SequenceEqual(File.ReadAllBytes(untouched[i])), $"{untouched[i]} changed: {shown}");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"runId\": \"trunc")]
    [InlineData("{\"runId\": \"x\", \"configuration\": {\"network\": {}}}")]
    public void ResultsFile_ThatIsBroken_IsRefusedNamingTheFile(string content)
    {
        string path = Path.Combine(files.Root, $"broken-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, content);

        var error = Assert.Throws<FormatException>(() => Output.SweepRow.FromResults(path));

        Assert.StartsWith($"{path} is not a complete results file", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Sweep_RerunsAPointWhoseResultsFileIsBroken_AndPlotSkipsIt()
    {
        string sweep = Path.Combine(files.Root, "resumed-sweep");
        string[] args = ["sweep", "--sweep-dir", sweep, "--data-dir", files.Data, "--depth", "1", "--width", "8", "--lr", "0.1,0.05", "--batch-limit", "2", "--test-every", "1", "--early-stop", "0", "--limit-test", "64", "--quiet"];
        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, args, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, output + error);
        string[] results = Directory.GetFiles(Path.Combine(sweep, "runs"), "results.json", SearchOption.AllDirectories);
        Assert.Equal(2, results.Length);
        byte[] whole = await File.ReadAllBytesAsync(results[0]);
        await File.WriteAllBytesAsync(results[0], whole[..(whole.Length / 2)]);  // as a crash mid-write would leave it

        (int plotCode, string plotOutput, string plotError) = await Processes.RunAsync(Processes.Pcn, ["plot", "--sweep", sweep, "--out", Path.Combine(sweep, "plots")], TimeSpan.FromMinutes(1));
        Assert.True(plotCode == 0, plotOutput + plotError);
        Assert.Contains($"pcn plot: warning: {results[0]} is not a complete results file", plotError, StringComparison.Ordinal);
        Assert.Contains(".png", plotOutput, StringComparison.Ordinal);

        (code, output, error) = await Processes.RunAsync(Processes.Pcn, args, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, output + error);
        Assert.Contains($"pcn sweep: warning: {results[0]} is not a complete results file", error, StringComparison.Ordinal);
        Assert.Contains("1 already finished, 1 to run", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Equal("completed", Output.SweepRow.FromResults(results[0]).State);
    }

    private static Dictionary<string, Case> BuildCases()
    {
        var cases = new Dictionary<string, Case>(StringComparer.Ordinal);
        void Pcn(string name, int exit, Func<Files, string[]> args, params string[] mentions) =>
            cases.Add(name, new Case(false, args, exit, _ => mentions));
        void Train(string name, int exit, string[] args, params string[] mentions) =>
            cases.Add(name, new Case(false, f => f.Train(args), exit, _ => mentions));
        void Silo(string name, int exit, Func<Files, string[]> args, Func<Files, string[]> mentions) =>
            cases.Add(name, new Case(true, args, exit, mentions));

        // pcn train: options (exit 2), all refused before the data is read or a silo starts.
        Train("width whose N² overflows int", 2, ["--depth", "2", "--width", "65536"], "--width", "65536", "46340");
        Train("width whose N² is just past int", 2, ["--depth", "2", "--width", "46341"], "--width", "46341");
        Train("network larger than any memory", 2, ["--depth", "4096", "--width", "16384"], "--width", "available");
        Train("batch whose activities overflow int", 2, ["--depth", "1", "--width", "46340", "--batch-size", "65536"], "--batch-size", "65536");
        Train("batch larger than the data", 2, ["--batch-size", "1048576"], "--batch-size", "1048576");
        Train("flag given a value", 2, ["--quiet=yes"], "--quiet", "yes");
        Train("option given twice", 2, ["--depth", "3", "--depth", "5"], "--depth", "twice");
        Train("negative depth", 2, ["--depth", "-3"], "--depth", "-3");
        Train("zero width", 2, ["--width", "0"], "--width");
        Train("depth not a number", 2, ["--depth", "eight"], "--depth", "eight");
        Train("NaN learning rate", 2, ["--lr", "NaN"], "--lr", "NaN");
        Train("infinite learning rate", 2, ["--lr", "Infinity"], "--lr");
        Train("negative beta", 2, ["--beta", "-1"], "--beta", "-1");
        Train("zero epochs", 2, ["--epochs", "0"], "--epochs");
        Train("huge epochs", 2, ["--epochs", "99999999"], "--epochs", "99999999");
        Train("epochs whose batches overflow int", 2, ["--epochs", "1048576", "--batch-size", "1"], "--epochs", "1048576");
        Train("negative steps", 2, ["--steps", "-1"], "--steps");
        Train("zero test-every", 2, ["--test-every", "0"], "--test-every");
        Train("negative seed", 2, ["--seed", "-1"], "--seed");
        Train("early stop above 100%", 2, ["--early-stop", "101"], "--early-stop");
        Train("zero limit-train", 2, ["--limit-train", "0"], "--limit-train");
        Train("negative limit-test", 2, ["--limit-test", "-5"], "--limit-test", "-5");
        Train("zero batch limit", 2, ["--batch-limit", "0"], "--batch-limit");
        Train("unknown parameterisation", 2, ["--param", "ntk"], "--param", "mupc");
        Train("unknown loss", 2, ["--loss", "hinge"], "--loss", "mse");
        Train("unknown algorithm", 2, ["--algorithm", "ep"], "--algorithm", "pc, bp");
        Train("backend for a cluster", 2, ["--cluster", "127.0.0.1:30000", "--backend", "cpu"], "--backend", "pcn-silo");
        Train("mnist without a data dir", 2, ["--dataset", "mnist", "--data-dir", ""], "--data-dir");
        Train("unknown activation", 2, ["--activation", "sigmoidal"], "--activation", "relu");
        Train("unknown backend", 2, ["--backend", "tpu"], "--backend", "cpu, cuda");
        Train("unknown dataset", 2, ["--dataset", "cifar"], "--dataset", "fashion-mnist");
        Train("run id with a slash", 2, ["--run-id", "a/b"], "--run-id", "a/b");
        Train("run id with a space", 2, ["--run-id", "my run"], "--run-id");
        Train("malformed cluster address", 2, ["--cluster", "nowhere"], "--cluster", "nowhere");
        Train("cluster port out of range", 2, ["--cluster", "127.0.0.1:99999"], "--cluster");
        Train("metrics port out of range", 2, ["--metrics-port", "70000"], "--metrics-port", "70000");
        Train("unknown option", 2, ["--frobnicate", "1"], "--frobnicate");
        Train("option without its value", 2, ["--depth"], "--depth", "needs a value");
        Train("option followed by another option", 2, ["--run-id", "--quiet"], "--run-id", "needs a value");
        Train("stray argument", 2, ["deep"], "deep");
        Train("empty data dir", 2, ["--data-dir", ""], "--data-dir");
        Train("empty runs dir", 2, ["--runs-dir", ""], "--runs-dir");
        Pcn("unknown command", 2, _ => ["frobnicate"], "frobnicate", "train");
        Pcn("mistyped command", 2, _ => ["trian"], "trian", "did you mean train?");
        Train("mistyped option", 2, ["--dept", "4"], "--dept", "did you mean --depth?");
        Train("flag given a separate value", 2, ["--no-skips", "yes"], "--no-skips", "yes", "takes no value");
        Pcn("missing response file", 2, f => ["train", $"@{Path.Combine(f.Root, "no-such.rsp")}"], "no-such.rsp");
        Pcn("help of an unknown command", 2, _ => ["help", "frobnicate"], "frobnicate", "train");
        Pcn("completion for an unknown shell", 2, _ => ["completion", "fish"], "fish", "bash, zsh");

        // pcn train: the environment (exit 1), or data that does not fit the options, found before a silo starts.
        Pcn("missing data dir", 1, f => f.Train(["--data-dir", Path.Combine(f.Root, "no-such-data")]), "no-such-data");
        Pcn("label out of range", 1, f => f.Train(["--data-dir", f.BadLabels]), "train-labels-idx1-ubyte", "index 37", "200", "10 classes");
        cases.Add("images not 28×28", new Case(false, f => f.Train(["--data-dir", f.SmallImages]), 1, f => [f.SmallImages, "784"]));
        cases.Add("unreadable IDX file", new Case(false, f => f.Train(["--data-dir", f.UnreadableLabels]), 1, f => [Path.Combine(f.UnreadableLabels, "train-labels-idx1-ubyte"), "permission denied"], Unprivileged: true));
        cases.Add("runs dir that is a file", new Case(false, f => f.Train(["--runs-dir", f.RunsFile]), 1, f => ["--runs-dir", f.RunsFile], Untouched: f => [f.RunsFile]));
        cases.Add("read-only runs dir", new Case(false, f => f.Train(["--runs-dir", f.ReadOnlyRuns]), 1, f => ["--runs-dir", f.ReadOnlyRuns, "permission denied"], Unprivileged: true, Untouched: f => [f.ReadOnlyResults]));
        cases.Add("run id whose results exist", new Case(false, f => f.Train(["--runs-dir", f.ExistingRuns, "--run-id", "done"]), 2, f => ["--run-id", Path.Combine(f.ExistingRuns, "done", "results.json")], Untouched: f => [Path.Combine(f.ExistingRuns, "done", "results.json")]));
        cases.Add("metrics port in use", new Case(false, f => f.Train(["--metrics-port", f.BusyPortText]), 1, f => ["--metrics-port", f.BusyPortText]));
        cases.Add("unreachable cluster", new Case(false, f => f.Train(["--cluster", $"127.0.0.1:{Files.FreePortText()}"]), 1, _ => ["Could not reach the Pcn cluster at 127.0.0.1:"]));

        // Commands on runs (of a cluster, or of --runs-dir on an embedded silo).
        Pcn("status with an empty runs dir", 2, _ => ["status", "--runs-dir", ""], "--runs-dir");
        Pcn("resume where there are no runs", 1, f => ["train", "--resume", "r", "--runs-dir", Path.Combine(f.Root, "no-runs-either")], "There are no runs", "no-runs-either");
        cases.Add("export into a path under a file", new Case(false, f => ["export", "--run", "r", "--out", Path.Combine(f.RunsFile, "w.npz")], 1, f => ["--out", f.RunsFile], Untouched: f => [f.RunsFile]));
        Pcn("eval where there are no runs", 1, f => ["eval", "--run", "r", "--runs-dir", Path.Combine(f.Root, "no-runs-here")], "There are no runs", "no-runs-here");
        Pcn("resume with a bad run id", 2, _ => ["train", "--resume", "a/b"], "a/b");
        Pcn("resume that would change the run", 2, _ => ["train", "--resume", "r", "--depth", "4"], "--depth");
        Pcn("export without --out", 2, _ => ["export", "--cluster", "127.0.0.1:30000", "--run", "r"], "--out");
        Pcn("attach without a run", 2, _ => ["attach", "--cluster", "127.0.0.1:30000"], "--run");
        Pcn("checkpoint cadence that is not a number", 2, f => f.Train(["--checkpoint-every", "often"]), "--checkpoint-every");
        Pcn("reach option without --reach", 2, _ => ["diagnose", "--beta", "5"], "--beta", "applies to --reach only");
        Pcn("reach following more samples than the batch", 2, _ => ["diagnose", "--reach", "--toy", "--batch-size", "4", "--samples", "5"], "--samples", "[1, B = 4]");
        Pcn("negative checkpoint cadence", 2, f => f.Train(["--checkpoint-every", "-5"]), "--checkpoint-every");
        cases.Add("init-from a missing file", new Case(false, f => f.Train(["--init-from", Path.Combine(f.Root, "no-such.npz")]), 2, f => ["--init-from", Path.Combine(f.Root, "no-such.npz")]));
        cases.Add("init-from a file that is not an npz", new Case(false, f => f.Train(["--init-from", f.RunsFile]), 2, f => ["--init-from", f.RunsFile]));
        Pcn("eval without a run", 2, _ => ["eval", "--cluster", "127.0.0.1:30000"], "--run");
        Pcn("drop with two runs", 2, _ => ["drop", "--cluster", "127.0.0.1:30000", "--run", "a", "--run", "b"], "--run", "twice");
        Pcn("status of an unreachable cluster", 1, _ => ["status", "--cluster", $"127.0.0.1:{Processes.FreePort()}"], "Could not reach");
        Pcn("status of an unknown host", 2, _ => ["status", "--cluster", "no-such-host.invalid:30000"], "--cluster", "no-such-host.invalid");

        // pcn sweep and pcn plot.
        Pcn("sweep axis given twice", 2, f => f.Sweep(["--depth", "2", "--depth", "3"]), "--depth", "twice");
        Pcn("sweep axis with an empty list", 2, f => f.Sweep(["--lr", ","]), "--lr");
        Pcn("sweep axis with a bad value", 2, f => f.Sweep(["--lr", "0.1,abc"]), "--lr", "abc");
        Pcn("sweep given a run id", 2, f => f.Sweep(["--run-id", "x"]), "--run-id", "--name");
        Pcn("sweep name with a space", 2, f => f.Sweep(["--name", "my sweep"]), "--name");
        Pcn("sweep parallel zero", 2, f => f.Sweep(["--parallel", "0"]), "--parallel");
        cases.Add("sweep dir that is a file", new Case(false, f => f.Sweep(["--sweep-dir", f.RunsFile]), 1, f => ["--sweep-dir", f.RunsFile], Untouched: f => [f.RunsFile]));
        Pcn("plot of nothing", 2, _ => ["plot"], "--sweep");
        Pcn("plot of a missing sweep dir", 2, f => ["plot", "--sweep", Path.Combine(f.Root, "no-such-sweep"), "--out", f.PlotsDir], "--sweep", "no-such-sweep");
        Pcn("plot of a dir that is no sweep", 2, f => ["plot", "--sweep", f.Data, "--out", f.PlotsDir], "--sweep", "runs");
        Pcn("plot of a sweep without results", 2, f => ["plot", "--sweep", f.EmptySweep, "--out", f.PlotsDir], "--sweep", "results.json");
        cases.Add("plot of a broken results file", new Case(false, f => ["plot", "--run", f.BrokenResults, "--out", f.PlotsDir], 1, f => [f.BrokenResults]));
        Pcn("plot out given twice", 2, f => ["plot", "--sweep", f.Root, "--out", "a", "--out", "b"], "--out", "twice");
        Pcn("diagnose Hessian too large", 2, _ => ["diagnose", "--toy", "--depth", "100", "--width", "100"], "--depth", "4096");

        // pcn-silo: options (exit 2) and the environment (exit 1), all before Orleans starts.
        Silo("silo unknown flag", 2, _ => Files.SiloArgs("--gateway-prot", "30055"), _ => ["--gateway-prot", "--gateway-port"]);
        Silo("silo stray argument", 2, _ => Files.SiloArgs("start"), _ => ["start"]);
        Silo("silo port not a number", 2, f => ["--silo-port", "abc", "--gateway-port", Files.FreePortText(), "--http-port", Files.FreePortText()], _ => ["--silo-port", "abc"]);
        Silo("silo port out of range", 2, f => ["--silo-port", "70000", "--gateway-port", Files.FreePortText(), "--http-port", Files.FreePortText()], _ => ["--silo-port", "70000"]);
        Silo("silo flag given twice", 2, _ => Files.SiloArgs("--backend", "cpu", "--backend", "cpu"), _ => ["--backend", "twice"]);
        Silo("silo flag without its value", 2, _ => Files.SiloArgs("--cluster-id"), _ => ["--cluster-id", "needs a value"]);
        Silo("silo and gateway ports equal", 2, f => ["--silo-port", f.SamePortText, "--gateway-port", f.SamePortText, "--http-port", Files.FreePortText()], f => ["--gateway-port", "--silo-port", f.SamePortText]);
        Silo("http and gateway ports equal", 2, f => ["--silo-port", Files.FreePortText(), "--gateway-port", f.SamePortText, "--http-port", f.SamePortText], f => ["--http-port", "--gateway-port", f.SamePortText]);
        Silo("silo port in use", 1, f => ["--silo-port", f.BusyPortText, "--gateway-port", Files.FreePortText(), "--http-port", Files.FreePortText()], f => ["--silo-port", f.BusyPortText]);
        Silo("http port in use", 1, f => ["--silo-port", Files.FreePortText(), "--gateway-port", Files.FreePortText(), "--http-port", f.BusyPortText], f => ["--http-port", f.BusyPortText]);
        Silo("silo address not an IP", 2, _ => Files.SiloArgs("--address", "999.1.1.1"), _ => ["--address", "999.1.1.1"]);
        Silo("silo address not on this machine", 1, _ => Files.SiloArgs("--address", "192.0.2.1"), _ => ["--address", "192.0.2.1"]);
        Silo("unknown clustering", 2, _ => Files.SiloArgs("--clustering", "etcd"), _ => ["--clustering", "etcd"]);
        Silo("unknown silo backend", 2, _ => Files.SiloArgs("--backend", "tpu"), _ => ["--backend", "tpu"]);
        Silo("redis clustering without redis", 2, _ => Files.SiloArgs("--clustering", "redis"), _ => ["--redis"]);
        Silo("malformed redis address", 2, _ => Files.SiloArgs("--clustering", "redis", "--redis", "localhost:abc"), _ => ["--redis", "localhost:abc"]);
        Silo("unreachable redis", 1, _ => Files.SiloArgs("--clustering", "redis", "--redis", $"127.0.0.1:{Files.FreePortText()}"), _ => ["--redis", "127.0.0.1:", "unreachable"]);
        return cases;
    }

    /// <summary>One bad input: which program, its arguments, the exit code, what the line must mention, what must stay unchanged.</summary>
    private sealed record Case(bool Silo, Func<Files, string[]> Args, int ExitCode, Func<Files, string[]> Mentions, bool Unprivileged = false, Func<Files, string[]>? Untouched = null);

    /// <summary>
    /// Real files for the table: a small valid data set (IDX, 28×28), the same with a label of 200, with 2×2 images and
    /// with an unreadable label file; a file where a directory is expected; a read-only runs directory and one with
    /// earlier results; a broken results file; and a port held busy. Readable by the user nobody, as whom the
    /// permission cases run when the tests run as root.
    /// </summary>
    public sealed class Files : IDisposable
    {
        private readonly TcpListener _busy;

        public Files()
        {
            Root = Directory.CreateTempSubdirectory("pcn-bad-inputs").FullName;
            File.SetUnixFileMode(Root, (UnixFileMode)Convert.ToInt32("755", 8));
            Data = WriteData("data", rows: 28, labelAt37: 7);
            BadLabels = WriteData("bad-labels", rows: 28, labelAt37: 200);
            SmallImages = WriteData("small-images", rows: 2, labelAt37: 7);
            UnreadableLabels = WriteData("unreadable", rows: 28, labelAt37: 7);
            File.SetUnixFileMode(Path.Combine(UnreadableLabels, "train-labels-idx1-ubyte"), UnixFileMode.None);
            foreach (string file in Directory.GetFiles(Root, "*-ubyte", SearchOption.AllDirectories).Where(p => !p.StartsWith(UnreadableLabels, StringComparison.Ordinal) || !p.EndsWith("train-labels-idx1-ubyte", StringComparison.Ordinal)))
            {
                File.SetUnixFileMode(file, (UnixFileMode)Convert.ToInt32("644", 8));
            }

            RunsFile = Path.Combine(Root, "runs-file");
            File.WriteAllText(RunsFile, "a file where a directory is expected\n");
            ReadOnlyRuns = Path.Combine(Root, "read-only-runs");
            ReadOnlyResults = Path.Combine(ReadOnlyRuns, "earlier", "results.json");
            Directory.CreateDirectory(Path.GetDirectoryName(ReadOnlyResults)!);
            File.WriteAllText(ReadOnlyResults, "{\"runId\": \"earlier\"}\n");
            File.SetUnixFileMode(ReadOnlyRuns, (UnixFileMode)Convert.ToInt32("555", 8));
            ExistingRuns = Path.Combine(Root, "existing-runs");
            Directory.CreateDirectory(Path.Combine(ExistingRuns, "done"));
            File.WriteAllText(Path.Combine(ExistingRuns, "done", "results.json"), "{\"runId\": \"done\", \"state\": \"completed\"}\n");
            BrokenResults = Path.Combine(Root, "broken-results.json");
            File.WriteAllText(BrokenResults, "{\"runId\": \"trunc");
            PlotsDir = Path.Combine(Root, "plots");
            EmptySweep = Path.Combine(Root, "empty-sweep");
            Directory.CreateDirectory(Path.Combine(EmptySweep, "runs"));

            _busy = new TcpListener(IPAddress.Loopback, 0);
            _busy.Start();
            BusyPortText = ((IPEndPoint)_busy.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
            SamePortText = FreePortText();
        }

        public string Root { get; }

        public string Data { get; }

        public string BadLabels { get; }

        public string SmallImages { get; }

        public string UnreadableLabels { get; }

        public string RunsFile { get; }

        public string ReadOnlyRuns { get; }

        public string ReadOnlyResults { get; }

        public string ExistingRuns { get; }

        public string BrokenResults { get; }

        public string PlotsDir { get; }

        public string EmptySweep { get; }

        /// <summary>A loopback port this fixture listens on for its whole life.</summary>
        public string BusyPortText { get; }

        /// <summary>A free port given to two options at once.</summary>
        public string SamePortText { get; }

        public static string FreePortText() => Processes.FreePort().ToString(CultureInfo.InvariantCulture);

        /// <summary>`pcn train` on the small data set with its own runs directory, unless the row names either.</summary>
        public string[] Train(string[] args) =>
        [
            "train", .. args,
            .. args.Contains("--data-dir") ? (string[])[] : ["--data-dir", Data],
            .. args.Contains("--runs-dir") ? (string[])[] : ["--runs-dir", Path.Combine(Root, "runs")],
        ];

        /// <summary>`pcn sweep` on the small data set in a sweep directory of its own, unless the row names it.</summary>
        public string[] Sweep(string[] args) =>
        [
            "sweep", .. args, "--data-dir", Data,
            .. args.Contains("--sweep-dir") ? (string[])[] : ["--sweep-dir", Path.Combine(Root, "sweep")],
        ];

        /// <summary>pcn-silo on free ports, so that a row that wrongly starts a silo collides with nothing.</summary>
        public static string[] SiloArgs(params string[] args) => [.. args, "--silo-port", FreePortText(), "--gateway-port", FreePortText(), "--http-port", FreePortText()];

        public void Dispose()
        {
            _busy.Stop();
            _busy.Dispose();
            File.SetUnixFileMode(ReadOnlyRuns, (UnixFileMode)Convert.ToInt32("755", 8));
            Directory.Delete(Root, recursive: true);
        }

        private string WriteData(string name, int rows, byte labelAt37)
        {
            string directory = Path.Combine(Root, name);
            Directory.CreateDirectory(directory, (UnixFileMode)Convert.ToInt32("755", 8));
            foreach ((string prefix, int count) in (ReadOnlySpan<(string, int)>)[("train", 4096), ("t10k", 256)])
            {
                byte[] labels = [.. Enumerable.Range(0, count).Select(i => (byte)(i % 10))];
                if (prefix == "train")
                {
                    labels[37] = labelAt37;
                }

                File.WriteAllBytes(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte"), Idx(0x0801, [count], labels));
                File.WriteAllBytes(Path.Combine(directory, $"{prefix}-images-idx3-ubyte"), Idx(0x0803, [count, rows, rows], new byte[count * rows * rows]));
            }

            return directory;
        }

        private static byte[] Idx(int magic, int[] dimensions, byte[] data)
        {
            byte[] file = new byte[4 + (4 * dimensions.Length) + data.Length];
            BinaryPrimitives.WriteInt32BigEndian(file, magic);
            for (int i = 0; i < dimensions.Length; i++)
            {
                BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4 + (4 * i)), dimensions[i]);
            }

            data.CopyTo(file, 4 + (4 * dimensions.Length));
            return file;
        }
    }
}
