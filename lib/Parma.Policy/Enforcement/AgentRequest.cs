using System.Text.Json.Nodes;

namespace Parma.Policy.Enforcement;

/// <summary>One agent request as the policy sees it: its type (e.g. CreateContainerRequest) and its JSON input.</summary>
public sealed record AgentRequest(string Kind, JsonObject Input, string Description);
