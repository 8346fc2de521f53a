using Microsoft.AspNetCore.Builder;
using Parma.Hosting;

namespace Parma.KeyRelease.Hosting;

/// <summary>How to run the key-release service: its configuration file, where to listen, and whether it is a development install.</summary>
public sealed record KeyReleaseServerOptions
{
    public required string ConfigPath { get; init; }

    /// <summary>ASP.NET Core URLs (<c>http://0.0.0.0:8080</c>, <c>https://…</c>; semicolon-separated); null: ASPNETCORE_URLS or the default.</summary>
    public string? Urls { get; init; }

    /// <summary>Set only by the Helm chart's development mode: the service then warns, at start and on every reload, that it runs
    /// inside the cluster it guards and that its secrets sit in a Kubernetes Secret.</summary>
    public bool DevelopmentMode { get; init; }

    /// <summary>Extra host configuration (tests: log capture).</summary>
    public Action<WebApplicationBuilder>? Configure { get; init; }

    public const string Usage = "usage: parma-key-release --config FILE [--urls URL] [--development-mode]  (or PARMA_KEY_RELEASE_CONFIG=FILE)";

    /// <summary>The container entry point's arguments: --config FILE (or PARMA_KEY_RELEASE_CONFIG), --urls URL, --development-mode.</summary>
    /// <exception cref="ArgumentException">an unknown or incomplete argument, or no configuration file.</exception>
    public static KeyReleaseServerOptions Parse(IReadOnlyList<string> args, string? configFromEnvironment = null)
    {
        string? config = configFromEnvironment;
        string? urls = null;
        var development = false;
        var reader = new FlagReader(args, message => new ArgumentException(message));
        while (reader.MoveNext())
        {
            switch (reader.Flag)
            {
                case "--config":
                    config = reader.Value();
                    break;
                case "--urls":
                    urls = reader.Value();
                    break;
                case "--development-mode":
                    development = true;
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{reader.Argument}'");
            }
        }

        return string.IsNullOrEmpty(config)
            ? throw new ArgumentException("--config FILE (or PARMA_KEY_RELEASE_CONFIG) is required")
            : new KeyReleaseServerOptions { ConfigPath = config, Urls = urls, DevelopmentMode = development };
    }
}
