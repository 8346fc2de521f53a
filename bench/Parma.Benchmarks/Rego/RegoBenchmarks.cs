using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Parma.Rego;

namespace Parma.Benchmarks.Rego;

/// <summary>Policy load/compile, a Kata-style CreateContainerRequest decision, and a trivial default-rule decision.</summary>
[Config(typeof(ShortInProcess))]
[MemoryDiagnoser]
public class RegoBenchmarks
{
    private string _policyText = string.Empty;
    private CompiledPolicy _policy = null!;
    private Value _input = Value.Null;
    private DataMount[] _state = [];

    [GlobalSetup]
    public void Setup()
    {
        _policyText = KataStylePolicy.Text();
        _policy = CompiledPolicy.Compile("policy.rego", _policyText);
        _input = KataStylePolicy.CreateContainerInput();
        _state = [new DataMount("data.pstate", Value.FromJson("""{"containers":{"other":"container-0"}}"""))];
        var decision = _policy.EvaluateRule("data.agent_policy.CreateContainerRequest", _input, _state);
        if (decision?["allowed"] != Value.True)
        {
            throw new InvalidOperationException("benchmark input must be allowed by the policy");
        }
    }

    [Benchmark(Description = "compile ~90 KB Kata-style policy")]
    public CompiledPolicy Compile() => CompiledPolicy.Compile("policy.rego", _policyText);

    [Benchmark(Description = "CreateContainerRequest decision (15 KB input, 10 containers)")]
    public Value? CreateContainer() => _policy.EvaluateRule("data.agent_policy.CreateContainerRequest", _input, _state);

    [Benchmark(Description = "trivial decision (default rule)")]
    public Value? Trivial() => _policy.EvaluateRule("data.agent_policy.GetOOMEventRequest", Value.EmptyObject);
}

/// <summary>BenchmarkDotNet's short job, run in-process (the shared VM is too loaded to build a separate harness in time).</summary>
public sealed class ShortInProcess : ManualConfig
{
    public ShortInProcess() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}
