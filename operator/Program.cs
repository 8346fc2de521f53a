namespace Parma.Operator;

/// <summary>Entry point of the operator container: everything happens in <see cref="OperatorApp.Build"/>.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            await OperatorApp.Build(args).RunAsync();
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or Api.ParmaSettingsException or k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException
                                   or FormatException or YamlDotNet.Core.YamlException)
        {
            await Console.Error.WriteLineAsync($"Parma.Operator: {e.Message}");
            return 2;
        }
    }
}
