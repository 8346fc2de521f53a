using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Parma.Hosting.Tests;

/// <summary>A web application with only the shared operations surface, on an in-memory test server.</summary>
internal sealed class OperationsHost : IAsyncDisposable
{
    private OperationsHost(WebApplication app)
    {
        App = app;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public static async Task<OperationsHost> StartAsync(Action<IServiceCollection>? services = null, params int[] onlyOnPorts)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.AddParmaOperations("parma-test");
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapParmaOperations(onlyOnPorts);
        await app.StartAsync();
        return new OperationsHost(app);
    }

    public async Task<string> ScrapeAsync()
    {
        using var response = await Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Tests that make "Parma" meters: one at a time, so that each scrape shows only the test's own instruments.</summary>
[CollectionDefinition(Name)]
public sealed class MetersCollection
{
    public const string Name = "Parma meters";
}
