using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Parma.Testing.ApiServer;
using Parma.Testing.ApiServer.Faults;

namespace Parma.Chart.Tests.EndToEnd;

/// <summary>
/// Records every request with the client certificate's user (CN), so that each component's calls can
/// be told apart. It hooks the fixture's fault matcher, which sees every request and here never
/// matches, so no request is altered.
/// </summary>
public sealed class RequestRecorder
{
    private readonly ConcurrentQueue<ApiCall> _calls = new();

    private RequestRecorder()
    {
    }

    public IReadOnlyCollection<ApiCall> Calls => _calls;

    public static RequestRecorder Attach(TestApiServer server)
    {
        var recorder = new RequestRecorder();
        server.Faults.Add(new Fault { Matches = recorder.Record, Count = int.MaxValue });
        return recorder;
    }

    public IReadOnlyList<ApiCall> By(string user) => [.. _calls.Where(c => c.User == user)];

    private bool Record(HttpRequest request)
    {
        var user = request.HttpContext.Connection.ClientCertificate?.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false) ?? "token";
        if (ApiCall.Parse(user, request.Method, $"{request.Path}{request.QueryString}") is { } call)
        {
            _calls.Enqueue(call);
        }

        return false;
    }
}
