using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Parma.Agent.Protocol;

namespace Parma.Benchmarks.Agent;

/// <summary>
/// Round trips over the agent's Unix socket (ttrpc, decoding, policy decision, state) with a
/// decision-only backend: CreateContainer (allowed, followed by an allowed Remove so that every
/// iteration starts from the same state), an allowed probe ExecProcess, and a trivial WaitProcess.
/// Percentiles and requests/s come from `agent-latency` (AgentLatencyRunner).
/// </summary>
[Config(typeof(AgentShortInProcess))]
[MemoryDiagnoser]
public class AgentBenchmarks
{
    private AgentBenchSetup _setup = null!;
    private IMessage _create = null!;
    private IMessage _remove = null!;
    private IMessage _exec = null!;
    private IMessage _wait = null!;

    [GlobalSetup]
    public void Setup()
    {
        _setup = AgentBenchSetup.StartAsync(containers: 2).GetAwaiter().GetResult();
        _setup.StartPodAsync().GetAwaiter().GetResult();
        var sim = _setup.Simulator;
        var second = _setup.Plan.Containers.Where(c => c.Role != Parma.Policy.Generation.ContainerRole.Pause).ElementAt(1);
        _create = PolicyInputReader.Read(sim.CreateContainer(second), CreateContainerRequest.Descriptor);
        _remove = new RemoveContainerRequest { ContainerId = sim.ContainerId(second) };
        _exec = PolicyInputReader.Read(sim.ExecProcess(_setup.App, ["/app/healthy.sh"]), ExecProcessRequest.Descriptor);
        _wait = new WaitProcessRequest { ContainerId = sim.Sandbox.SandboxId, ExecId = sim.Sandbox.SandboxId };
    }

    [GlobalCleanup]
    public void Cleanup() => _setup.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "CreateContainer + RemoveContainer (2 round trips)")]
    public async Task CreateThenRemove()
    {
        await _setup.Client.CallAsync("CreateContainer", _create);
        await _setup.Client.CallAsync("RemoveContainer", _remove);
    }

    [Benchmark(Description = "ExecProcess (allowed probe)")]
    public Task<IMessage> Exec() => _setup.Client.CallAsync("ExecProcess", _exec);

    [Benchmark(Description = "WaitProcess (trivial rule)")]
    public Task<IMessage> Trivial() => _setup.Client.CallAsync("WaitProcess", _wait);
}
