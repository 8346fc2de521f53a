using Parma.Agent.Protocol;
using Parma.Agent.Ttrpc;

namespace Parma.Agent.Runtime.Guest;

/// <summary>
/// GetIPTables and SetIPTables as kata-agent carries them out: iptables-save (ip6tables-save) answers
/// the guest's rules; iptables-restore (ip6tables-restore) replaces them from the request's data. In a
/// configured network namespace they run through nsenter.
/// </summary>
internal sealed class FirewallTables(string? networkNamespace)
{
    public async Task<GetIPTablesResponse> SaveAsync(GetIPTablesRequest request, CancellationToken cancellationToken) =>
        new() { Data = Google.Protobuf.ByteString.CopyFromUtf8(await RunAsync(request.IsIpv6 ? "ip6tables-save" : "iptables-save", null, cancellationToken).ConfigureAwait(false)) };

    public async Task<SetIPTablesResponse> RestoreAsync(SetIPTablesRequest request, CancellationToken cancellationToken) =>
        new() { Data = Google.Protobuf.ByteString.CopyFromUtf8(await RunAsync(request.IsIpv6 ? "ip6tables-restore" : "iptables-restore", request.Data.ToByteArray(), cancellationToken).ConfigureAwait(false)) };

    private async Task<string> RunAsync(string tool, byte[]? input, CancellationToken cancellationToken)
    {
        var path = MountSupport.FindOnPath(tool) ?? throw new RuntimeException(StatusCode.FailedPrecondition, $"{tool} is not installed in the guest");
        string program = path;
        string[] arguments = [];
        if (networkNamespace is not null)
        {
            program = MountSupport.FindOnPath("nsenter") ?? throw new RuntimeException(StatusCode.FailedPrecondition, "nsenter is not installed");
            arguments = [$"--net={networkNamespace}", path];
        }

        try
        {
            return await ExternalTool.RunAsync(program, arguments, tool, cancellationToken, input).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new RuntimeException(StatusCode.Internal, e.Message);
        }
    }
}
