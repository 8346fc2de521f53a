using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Parma.Benchmarks.Agent;

/// <summary>BenchmarkDotNet's short job, run in-process (the agent's socket and fixtures live in the benchmark process).</summary>
public sealed class AgentShortInProcess : ManualConfig
{
    public AgentShortInProcess() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}
