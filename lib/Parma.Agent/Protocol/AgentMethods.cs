using Google.Protobuf.Reflection;

namespace Parma.Agent.Protocol;

/// <summary>One method of grpc.AgentService: its request and response types.</summary>
public sealed record AgentMethod(string Name, MessageDescriptor Request, MessageDescriptor Response)
{
    /// <summary>The policy rule that decides it: the request message's name (ReadStdout and ReadStderr both use ReadStreamRequest).</summary>
    public string Kind => Request.Name;
}

/// <summary>The Kata agent service as compiled from our protos: method names, request kinds.</summary>
public static class AgentMethods
{
    public const string Service = "grpc.AgentService";

    private static readonly ServiceDescriptor Descriptor = AgentReflection.Descriptor.FindTypeByName<ServiceDescriptor>("AgentService")
        ?? AgentReflection.Descriptor.Services.Single();

    public static IReadOnlyDictionary<string, AgentMethod> ByName { get; } = Descriptor.Methods
        .ToDictionary(m => m.Name, m => new AgentMethod(m.Name, m.InputType, m.OutputType), StringComparer.Ordinal);

    /// <summary>The first method whose request is <paramref name="kind"/> (a trace names requests by kind).</summary>
    public static AgentMethod? ForKind(string kind) =>
        Descriptor.Methods.Where(m => m.InputType.Name == kind).Select(m => ByName[m.Name]).FirstOrDefault();
}
