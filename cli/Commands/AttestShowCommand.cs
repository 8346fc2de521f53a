using System.CommandLine;
using System.Text.Json;
using Parma.Attestation.Report;

namespace Parma.Cli.Commands;

/// <summary>`parma attest show --report R [--output json]`: every field of a report.</summary>
internal static class AttestShowCommand
{
    public static Command Create()
    {
        var report = new Option<FileInfo>("--report") { Description = "The 1184-byte attestation report file.", Required = true };
        var product = AttestOptions.Product("The processor (TCB layout) when the report has no CPUID fields.");
        var output = AttestOptions.Output();
        var command = new Command("show", "Print every field of an SEV-SNP attestation report.") { report, product, output };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                var parsed = SnpReport.Parse(AttestOptions.ReadFile(parse.GetValue(report)!, "report"));
                var fields = SnpReportDescription.Describe(parsed, AttestOptions.ParseProduct(parse.GetValue(product)));
                if (parse.GetValue(output) == "json")
                {
                    stdout.WriteLine(JsonSerializer.Serialize(fields.ToDictionary(f => f.Key, f => f.Value), AttestOptions.Json));
                }
                else
                {
                    var width = fields.Max(f => f.Key.Length);
                    foreach (var (name, value) in fields)
                    {
                        stdout.WriteLine($"{name.PadRight(width)}  {AttestOptions.Format(value)}");
                    }
                }

                return 0;
            }
            catch (Exception e) when (AttestOptions.IsInputError(e))
            {
                stderr.WriteLine($"parma attest show: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
