using System.CommandLine;

namespace Parma.Cli.Commands;

/// <summary>`parma attest`: inspect and verify SEV-SNP attestation reports.</summary>
internal static class AttestCommand
{
    public static Command Create()
    {
        var command = new Command("attest", "Inspect and verify AMD SEV-SNP attestation reports.");
        command.Subcommands.Add(AttestVerifyCommand.Create());
        command.Subcommands.Add(AttestShowCommand.Create());
        return command;
    }
}
