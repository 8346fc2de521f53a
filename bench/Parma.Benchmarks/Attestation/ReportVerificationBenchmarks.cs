using BenchmarkDotNet.Attributes;
using Parma.Attestation.Certificates;
using Parma.Attestation.Report;
using Parma.Attestation.Verification;

namespace Parma.Benchmarks.Attestation;

/// <summary>Cost of parsing and fully verifying a real Milan report (ECDSA P-384 + two RSA-4096-PSS certificate checks).</summary>
[MemoryDiagnoser]
public class ReportVerificationBenchmarks
{
    private byte[] _report = [];
    private SnpEvidence _evidence = null!;
    private SnpReportVerifier _verifier = null!;

    [GlobalSetup]
    public void Setup()
    {
        var vectors = FindVectors();
        _report = File.ReadAllBytes(Path.Combine(vectors, "virtee-milan-v2", "report_milan.bin"));
        var leaf = CertificateFiles.LoadOne(Path.Combine(vectors, "virtee-milan-v2", "vcek_milan.der"));
        var chain = CertificateFiles.LoadAll(Path.Combine(vectors, "virtee-milan-v2", "ask_ark_milan.pem"));
        _evidence = new SnpEvidence(_report, leaf, chain);
        _verifier = SnpReportVerifier.CreateDefault();
    }

    [Benchmark]
    public uint Parse() => SnpReport.Parse(_report).Version;

    [Benchmark]
    public bool VerifyFull() => _verifier.Verify(_evidence).IsValid;

    private static string FindVectors()
    {
        var fromEnv = Environment.GetEnvironmentVariable("PARMA_SHARED");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); fromEnv is null && dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ParmaOperator.sln")))
            {
                fromEnv = Path.Combine(dir.FullName, "..", "shared");
            }
        }

        return Path.Combine(fromEnv ?? throw new DirectoryNotFoundException("set PARMA_SHARED to the shared data folder"), "snp-vectors");
    }
}
