using Parma.Testing;

namespace Parma.Cli.Tests;

/// <summary>Runs the built `parma` assembly as a separate process, the way a user's shell would.</summary>
internal static class CliRunner
{
    private static string ParmaDll => Path.Combine(AppContext.BaseDirectory, "parma.dll");

    public static Task<ProcessResult> RunAsync(params string[] arguments) =>
        ProcessRunner.RunAsync("dotnet", [ParmaDll, .. arguments], timeout: TimeSpan.FromMinutes(2));
}
