using BenchmarkDotNet.Running;
using SmartTrip.Benchmarks;

// dotnet run -c Release --project benchmarks/SmartTrip.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/SmartTrip.Benchmarks -- analytics "<connection string>" [requests] [events]
// dotnet run -c Release --project benchmarks/SmartTrip.Benchmarks -- partition-migration "<connection string of an empty database>" [events] [requests]
// dotnet run -c Release --project benchmarks/SmartTrip.Benchmarks -- drain http://127.0.0.1:7071 "<connection string>" [messages] [workers] [batch]
// dotnet run -c Release --project benchmarks/SmartTrip.Benchmarks -- soak http://127.0.0.1:7071 "<connection string>" [seconds] [batch]
if (args.Length >= 3 && args[0] == "soak")
{
    return await EventsSoak.RunAsync(args);
}

if (args.Length >= 3 && args[0] == "drain")
{
    return await DrainThroughput.RunAsync(args);
}

if (args.Length >= 2 && args[0] == "partition-migration")
{
    return await PartitionMigration.RunAsync(args);
}

if (args.Length >= 2 && args[0] == "analytics")
{
    return await AnalyticsScale.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
