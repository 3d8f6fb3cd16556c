using System.CommandLine;
using Pcn.Abstractions.Options;

namespace Pcn.Client.CommandLine;

/// <summary>
/// `pcn completion bash|zsh`: a script for the shell to source, which asks pcn itself for completions through
/// System.CommandLine's <c>[suggest:POSITION]</c> directive, so the script never needs updating when options change.
/// </summary>
internal static class CompletionScripts
{
    private const string Bash = """
        # bash completion for pcn; load it with: source <(pcn completion bash)
        _pcn_complete()
        {
            local line="${COMP_LINE:0:COMP_POINT}"
            local IFS=$'\n'
            COMPREPLY=($(pcn "[suggest:${#line}]" "$line" 2>/dev/null))
        }
        complete -o default -F _pcn_complete pcn
        """;

    private const string Zsh = """
        #compdef pcn
        # zsh completion for pcn; load it with: source <(pcn completion zsh)   (after compinit)
        _pcn() {
            local line="${BUFFER[1,CURSOR]}"
            local -a completions
            completions=(${(f)"$(pcn "[suggest:${#line}]" "$line" 2>/dev/null)"})
            compadd -- "${completions[@]}"
        }
        compdef _pcn pcn
        """;

    private static readonly Dictionary<string, string> Scripts = new(StringComparer.Ordinal) { ["bash"] = Bash, ["zsh"] = Zsh };

    /// <summary>The command.</summary>
    public static Command Create()
    {
        var shell = new Argument<string?>("shell") { Description = "bash or zsh", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("completion", "print a shell completion script to source: pcn completion bash|zsh") { shell };
        command.SetAction(result =>
        {
            string? name = result.GetValue(shell);
            string script = name is not null && Scripts.TryGetValue(name, out string? s)
                ? s
                : throw new InvalidOptionException("shell", name is null ? "(missing)" : $"'{name}'", $"allowed values are {string.Join(", ", Scripts.Keys)}");
            result.InvocationConfiguration.Output.WriteLine(script);
            return 0;
        });
        return command;
    }
}
