namespace Pcn.Client.Tests;

/// <summary>
/// What the real `pcn` process offers a user at the command line: help for every command in every spelling, typo
/// corrections, response files, and shell completion through System.CommandLine's suggest directive.
/// </summary>
public sealed class CommandLineUsabilityTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly string[] RunTarget = ["--cluster", "--runs-dir"];

    private static readonly Dictionary<string, string[]> OptionsOf = new(StringComparer.Ordinal)
    {
        ["train"] =
        [
            "--dataset", "--data-dir", "--limit-train", "--limit-test", "--depth", "--width", "--activation", "--param", "--loss", "--no-skips",
            "--algorithm", "--lr", "--beta", "--steps", "--batch-size", "--epochs", "--seed", "--test-every", "--batch-limit", "--early-stop",
            "--checkpoint-every", "--run-id", "--runs-dir", "--cluster", "--metrics-port", "--backend", "--init-from", "--quiet", "--resume",
        ],
        ["sweep"] =
        [
            "--depth", "--width", "--param", "--algorithm", "--activation", "--lr", "--beta", "--seed", "--name", "--sweep-dir", "--parallel",
            "--dataset", "--data-dir", "--batch-size", "--epochs", "--test-every", "--batch-limit", "--cluster", "--backend", "--quiet",
        ],
        ["diagnose"] = ["--toy", "--depth", "--width", "--activation", "--param", "--loss", "--no-skips", "--seed", "--data-dir"],
        ["plot"] = ["--sweep", "--table", "--run", "--out"],
        ["status"] = RunTarget,
        ["attach"] = ["--run", "--quiet", .. RunTarget],
        ["results"] = ["--run", .. RunTarget],
        ["eval"] = ["--run", .. RunTarget],
        ["export"] = ["--run", "--out", .. RunTarget],
        ["drop"] = ["--run", "--keep-checkpoints", .. RunTarget],
        ["help"] = ["command"],
        ["completion"] = ["shell", "bash", "zsh"],
    };

    public static TheoryData<string, string> HelpSpellings()
    {
        var data = new TheoryData<string, string>();
        foreach (string command in OptionsOf.Keys)
        {
            foreach (string spelling in (string[])["--help", "-h", "help"])
            {
                data.Add(command, spelling);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HelpSpellings))]
    public async Task Help_OfEachCommand_ExitsZero_AndListsItsOptions(string command, string spelling)
    {
        string[] args = spelling == "help" ? ["help", command] : [command, spelling];

        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, args, Timeout);

        Assert.True(code == 0, $"pcn {string.Join(' ', args)} → exit {code}: {output}{error}");
        Assert.Empty(error);
        Assert.Contains($"pcn {command}", output, StringComparison.Ordinal);
        foreach (string option in OptionsOf[command])
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_OfPcn_ExitsZero_AndListsEveryCommand(string spelling)
    {
        string[] args = spelling.Length == 0 ? [] : [spelling];

        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, args, Timeout);

        Assert.True(code == 0, $"exit {code}: {output}{error}");
        Assert.Empty(error);
        Assert.All(OptionsOf.Keys, command => Assert.Contains(command, output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task HelpCommand_PrintsTheSameAsTheCommandsHelpOption()
    {
        (_, string viaHelp, _) = await Processes.RunAsync(Processes.Pcn, ["help", "train"], Timeout);
        (_, string viaOption, _) = await Processes.RunAsync(Processes.Pcn, ["train", "--help"], Timeout);

        Assert.Equal(viaOption, viaHelp);
        Assert.Contains("--depth <depth>", viaHelp, StringComparison.Ordinal);
        Assert.Contains("[default: 8]", viaHelp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_OfSweep_HidesTheOptionsAPointTakesFromTheSweep()
    {
        (_, string output, _) = await Processes.RunAsync(Processes.Pcn, ["sweep", "--help"], Timeout);

        Assert.DoesNotContain("--run-id", output, StringComparison.Ordinal);
        Assert.DoesNotContain("--metrics-port", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("trian", "did you mean train?", "trian")]
    [InlineData("--dept", "did you mean --depth?", "train", "--dept", "4")]
    [InlineData("--tyo", "did you mean --toy?", "diagnose", "--tyo")]
    public async Task Typo_IsCorrected_InTheOneLineThatRefusesIt(string typo, string suggestion, params string[] args)
    {
        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, args, Timeout);

        Assert.Equal(2, code);
        string line = error.Trim();
        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("pcn: ", line, StringComparison.Ordinal);
        Assert.Contains(typo, line, StringComparison.Ordinal);
        Assert.Contains(suggestion, line, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task ResponseFile_GivesTheSameSettingsAsTheOptionsInline()
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("pcn-rsp").FullName, "toy.rsp");
        await File.WriteAllLinesAsync(file, ["# a diagnosis of a small toy network", "--toy", "--depth 3 --width 4", "--activation tanh"]);

        (int fromFile, string fileOutput, string fileError) = await Processes.RunAsync(Processes.Pcn, ["diagnose", $"@{file}", "--seed", "5"], Timeout);
        (int inline, string inlineOutput, string inlineError) = await Processes.RunAsync(Processes.Pcn, ["diagnose", "--toy", "--depth", "3", "--width", "4", "--activation", "tanh", "--seed", "5"], Timeout);

        Assert.True(fromFile == 0, fileOutput + fileError);
        Assert.True(inline == 0, inlineOutput + inlineError);
        Assert.Contains("H=3 N=4 tanh mupc skips seed 5", fileOutput, StringComparison.Ordinal);
        Assert.Equal(inlineOutput, fileOutput);
    }

    [Fact]
    public async Task ResponseFile_WithABadOption_IsRefusedAsTheOptionInline()
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("pcn-rsp").FullName, "train.rsp");
        await File.WriteAllTextAsync(file, "--depth 0\n");

        (int fromFile, _, string fileError) = await Processes.RunAsync(Processes.Pcn, ["train", $"@{file}"], Timeout);
        (int inline, _, string inlineError) = await Processes.RunAsync(Processes.Pcn, ["train", "--depth", "0"], Timeout);

        Assert.Equal(2, fromFile);
        Assert.Equal(2, inline);
        Assert.Contains("--depth = 0", fileError, StringComparison.Ordinal);
        Assert.Equal(inlineError, fileError);
    }

    [Fact]
    public async Task SuggestDirective_ListsTrainsOptions()
    {
        const string Line = "pcn train --d";

        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, [$"[suggest:{Line.Length}]", Line], Timeout);

        Assert.True(code == 0, output + error);
        string[] suggestions = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("--depth", suggestions);
        Assert.Contains("--data-dir", suggestions);
        Assert.Contains("--dataset", suggestions);
        Assert.DoesNotContain("--width", suggestions);
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _pcn_complete pcn")]
    [InlineData("zsh", "compdef _pcn pcn")]
    public async Task CompletionScript_AsksPcnsSuggestDirective(string shell, string registration)
    {
        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, ["completion", shell], Timeout);

        Assert.True(code == 0, output + error);
        Assert.Contains("[suggest:", output, StringComparison.Ordinal);
        Assert.Contains(registration, output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CompletionScript_InBash_CompletesTrainsOptions()
    {
        Skip.IfNot(File.Exists("/bin/bash"), "bash is not installed");
        // pcn as the user would have it on PATH; the script calls it by that name.
        string script = $$"""
            pcn() { dotnet '{{Processes.Pcn}}' "$@"; }
            source <(pcn completion bash)
            COMP_LINE='pcn train --de'; COMP_POINT=${#COMP_LINE}
            _pcn_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """;

        (int code, string output, string error) = await Processes.RunProgramAsync("/bin/bash", ["-c", script], Timeout);

        Assert.True(code == 0, output + error);
        Assert.Contains("--depth", output.Split('\n', StringSplitOptions.TrimEntries));
        Assert.DoesNotContain("--width", output, StringComparison.Ordinal);
    }
}
