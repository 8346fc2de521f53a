using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project bench/Parma.Benchmarks -- --filter '*'
// Results are recorded by hand in bench/RESULTS.md with the machine and the date.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
