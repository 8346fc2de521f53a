using System.CommandLine;
using Parma.Cli.Commands;

var root = new RootCommand("parma: confidential container groups for Kubernetes — policies, images, attestation.");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
