using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/SmartTrip.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
