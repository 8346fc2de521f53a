using System.CommandLine;
using System.Text.Json;
using Parma.KeyRelease.Configuration;
using Parma.KeyRelease.Hosting;

namespace Parma.Cli.Commands;

/// <summary>
/// <c>parma key-release serve|check --config FILE</c>: the key-release service (lib/Parma.KeyRelease, the same host as the
/// container image) for the tenant's own infrastructure, and a dry run that prints what a configuration approves.
/// </summary>
internal static class KeyReleaseCommand
{
    public static Command Create()
    {
        var command = new Command("key-release", "Run the key-release service on your own infrastructure, or check what its configuration approves.");
        command.Subcommands.Add(Serve());
        command.Subcommands.Add(Check());
        return command;
    }

    private static Option<string> ConfigOption() =>
        new("--config", "-c") { Description = "The key-release configuration (JSON; docs/attestation.md).", Required = true };

    private static Command Serve()
    {
        var config = ConfigOption();
        var urls = new Option<string>("--urls") { Description = "Where to listen (ASP.NET Core URLs; https:// takes its certificate from the Kestrel configuration).", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var command = new Command("serve", "Recompute the approved host_data from the configured manifests, then serve POST /keys/{id}/release until interrupted. SIGHUP reloads the configuration.")
        {
            config, urls,
        };
        command.SetAction((parse, cancellationToken) => KeyReleaseServer.RunAsync(
            new KeyReleaseServerOptions { ConfigPath = parse.GetValue(config)!, Urls = parse.GetValue(urls) },
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static Command Check()
    {
        var config = ConfigOption();
        var output = AttestOptions.Output();
        var command = new Command("check", "Load the configuration as the service would (recomputing host_data from the manifests) and print what each key approves.")
        {
            config, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            LoadedConfiguration loaded;
            try
            {
                loaded = await KeyCatalogLoader.LoadAsync(parse.GetValue(config)!, cancellationToken: cancellationToken);
            }
            catch (KeyReleaseConfigurationException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }

            if (parse.GetValue(output) == "json")
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(
                    loaded.Keys.Select(key => new
                    {
                        id = key.KeyId,
                        host_data = key.HostData.Select(value => new { value = value.Hex, source = value.Source }),
                        measurements = key.Policy.AllowAnyMeasurement ? null : key.Policy.AllowedMeasurements,
                        allow_any_measurement = key.Policy.AllowAnyMeasurement,
                        allow_migration_agent = key.Policy.AllowMigrationAgent,
                        minimum_tcb = key.Policy.MinimumTcb?.ToString(),
                    }),
                    AttestOptions.Json));
                return 0;
            }

            foreach (var key in loaded.Keys)
            {
                await stdout.WriteLineAsync($"key {key.KeyId}");
                foreach (var hostData in key.HostData)
                {
                    await stdout.WriteLineAsync($"  host_data {hostData.Hex}  {hostData.Source}");
                }

                await stdout.WriteLineAsync(key.Policy.AllowAnyMeasurement
                    ? "  measurement: ANY (allowAnyMeasurement)"
                    : $"  measurement: {string.Join(", ", key.Policy.AllowedMeasurements)}");
                await stdout.WriteLineAsync($"  minimum TCB: {key.Policy.MinimumTcb?.ToString() ?? "none"}; migration agent: {(key.Policy.AllowMigrationAgent ? "allowed" : "refused")}; debug: refused; VMPL: 0");
            }

            return 0;
        });
        return command;
    }
}
