using System.CommandLine;
using Pcn.Abstractions.Grains;
using Pcn.Client.CommandLine;
using Pcn.Client.Connection;

namespace Pcn.Client.Commands;

/// <summary>The shape of the commands that act on one run: --run, and --cluster or --runs-dir; connect, act, print.</summary>
internal static class RunCommand
{
    /// <summary>
    /// A command that connects to the run named by --run and prints what <paramref name="act"/> returns;
    /// <paramref name="verb"/> completes "name the run to …" when --run is missing.
    /// </summary>
    public static Command Create(string name, string description, string verb, Func<ParseResult, ITrainingCoordinatorGrain, string, Task<string>> act, params Option[] more)
    {
        Command command = Create(name, description, more);
        command.SetAction(async result =>
        {
            RunTarget target = RunTarget.Read(result);
            string run = CommonOptions.ReadRun(result, verb);
            await using ClusterConnection connection = await target.ConnectAsync();
            result.InvocationConfiguration.Output.WriteLine(await act(result, connection.Grains.GetGrain<ITrainingCoordinatorGrain>(run), run));
            return 0;
        });
        return command;
    }

    /// <summary>A command with --run, --cluster, --runs-dir and <paramref name="more"/>; its action is the caller's.</summary>
    public static Command Create(string name, string description, params Option[] more)
    {
        var command = new Command(name, description) { CommonOptions.Run };
        foreach (Option option in RunTarget.Options.Concat(more))
        {
            command.Options.Add(option);
        }

        return command;
    }
}
