using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Parma.Attestation.Report;

namespace Parma.Cli.Commands;

/// <summary>Option parsing shared by the attest commands; input errors become exit code 2 with a message.</summary>
internal static class AttestOptions
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static Option<string> Output() => ChoiceOption.Create("--output", "Output format.", ["text", "json"], "text", "-o");

    public static Option<string> Product(string description) =>
        ChoiceOption.Create("--product", description, ["milan", "genoa", "turin"], defaultValue: null);

    public static byte[] ReadFile(FileInfo file, string what) => file.Exists
        ? File.ReadAllBytes(file.FullName)
        : throw new FileNotFoundException($"{what} file '{file.FullName}' does not exist");

    public static byte[] Hex(string value, int length, string what)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(value.Trim());
        }
        catch (FormatException)
        {
            throw new FormatException($"{what} '{value}' is not hex");
        }

        return bytes.Length == length ? bytes : throw new FormatException($"{what} must be {length} bytes ({2 * length} hex digits), not {bytes.Length}");
    }

    public static SnpProduct ParseProduct(string? name)
    {
        if (name is null)
        {
            return SnpProduct.Unknown;
        }

        var product = SnpProducts.Parse(name);
        return product != SnpProduct.Unknown ? product : throw new FormatException($"product '{name}' is not Milan, Genoa or Turin");
    }

    public static string Format(object? value) => value switch
    {
        null => "-",
        bool flag => flag ? "yes" : "no",
        _ => value.ToString() ?? "-",
    };

    public static bool IsInputError(Exception e) =>
        e is IOException or FormatException or SnpReportFormatException or CryptographicException or UnauthorizedAccessException or ArgumentException
            or Parma.Policy.Input.PolicyInputException;
}
