using Parma.Operator;

try
{
    await OperatorApp.Build(args).RunAsync();
    return 0;
}
catch (Exception e) when (e is ArgumentException or Parma.Api.ParmaSettingsException or Parma.Kube.Config.KubeConfigException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"Parma.Operator: {e.Message}");
    return 2;
}
