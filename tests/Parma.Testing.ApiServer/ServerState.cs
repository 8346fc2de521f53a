using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Parma.Testing.ApiServer.Admission;
using Parma.Testing.ApiServer.Faults;
using Parma.Testing.ApiServer.Resources;
using Parma.Testing.ApiServer.Storage;
using Parma.Testing.ApiServer.Validation;

namespace Parma.Testing.ApiServer;

/// <summary>Everything the request handlers share.</summary>
public sealed class ServerState(TestApiServerOptions options, ResourceCatalog catalog)
{
    public TestApiServerOptions Options { get; } = options;

    public ResourceCatalog Catalog { get; } = catalog;

    /// <summary>The official OpenAPI documents (null when schema validation is off): validation and /openapi/v3.</summary>
    public OpenApiDocuments? Documents { get; init; }

    public ObjectStore Store { get; } = new();

    public FaultInjector Faults { get; } = new();

    public AdmissionChain Admission { get; } = new();

    public ConcurrentDictionary<HttpContext, byte> OpenWatches { get; } = new();

    /// <summary>Every request seen, as "METHOD path?query", for tests that count retries.</summary>
    public ConcurrentQueue<string> RequestLog { get; } = new();
}
