using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project bench/Parma.Benchmarks -- --filter '*'
// Results are recorded by hand in bench/RESULTS.md with the machine and the date.
if (args is ["operator-scale", ..])
{
    Environment.Exit(await Parma.Benchmarks.Operator.OperatorScaleBenchmark.RunAsync(args[1..]));
}

if (args is ["agent-latency", ..])
{
    Environment.Exit(await Parma.Benchmarks.Agent.AgentLatencyRunner.RunAsync());
}

if (args is ["framework-ab", ..])
{
    Environment.Exit(await Parma.Benchmarks.Policy.FrameworkAbRunner.RunAsync(args[1..]));
}

if (args is ["agent-decision-loop", ..])
{
    Environment.Exit(await Parma.Benchmarks.Agent.AgentDecisionLoop.RunAsync(args[1..]));
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
