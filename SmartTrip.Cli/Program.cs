using System.CommandLine;
using SmartTrip.Cli;

var root = new RootCommand("SmartTrip backend tool: database migrations, catalogue seeding, searches, evaluation, metrics, dead letters, ranking experiments and the development host.");
root.Subcommands.Add(Commands.Migrate());
root.Subcommands.Add(Commands.Seed());
root.Subcommands.Add(Commands.Recommend());
root.Subcommands.Add(Commands.Evaluate());
root.Subcommands.Add(Commands.AggregateMetrics());
root.Subcommands.Add(Commands.DeadLetters());
root.Subcommands.Add(ExperimentCommands.Experiment());
root.Subcommands.Add(ArchiveCommands.Archive());
root.Subcommands.Add(SimulateCommands.Simulate());
root.Subcommands.Add(LearnCommands.Learn());
root.Subcommands.Add(Commands.OpenApi());
root.Subcommands.Add(Commands.Serve());
return await root.Parse(args).InvokeAsync();
