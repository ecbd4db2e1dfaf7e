using System.Diagnostics;
using System.Text.RegularExpressions;
using SmartTrip.Tests.Fixtures;

namespace SmartTrip.Tests.Hosting;

/// <summary>
/// The front door's commands as a new user types them: the README's first two commands, the scripts the README and the
/// guides name, and a Functions host given as the guides write it (a path relative to the repository root).
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class ReadmeCommandTests
{
    private static string Read(string path) => File.ReadAllText(Path.Combine(TestServices.RepositoryRoot, path));

    [Fact]
    public void The_readme_opens_with_the_run_and_the_test_command()
    {
        var firstBlock = CodeBlock().Match(Read("README.md")).Groups[1].Value;
        var commands = firstBlock.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('#')[0].Trim()).ToList();

        Assert.Equal(["./scripts/run.sh", "./scripts/test.sh"], commands);
        Assert.True(Read("README.md").Split('\n').Length <= 200, "the README is the short front door; detail goes to docs/");
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/testing.md")]
    [InlineData("docs/development.md")]
    public void Every_script_the_document_names_exists_and_is_executable(string document)
    {
        var scripts = ScriptPath().Matches(Read(document)).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var path = Path.Combine(TestServices.RepositoryRoot, script);
            Assert.True(File.Exists(path), $"{document} names {script}, which does not exist");
            Assert.True(OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0, $"{script} is not executable");
        }
    }

    /// <summary>
    /// Change that this catches: scripts/services.sh no longer resolving a relative host path against the repository
    /// root (the tests start the host from their binaries' folder, where ../shared/... names nothing).
    /// </summary>
    [Fact]
    public async Task A_host_path_written_as_the_testing_guide_writes_it_is_found_from_any_folder()
    {
        var written = HostSetting().Matches(Read("docs/testing.md")).Select(m => m.Groups[1].Value).First(v => v.Contains('/', StringComparison.Ordinal));
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { "-c", $"source '{TestServices.RepositoryRoot}/scripts/services.sh' && printf %s \"$SMARTTRIP_TEST_FUNCTIONS_HOST\"" },
            WorkingDirectory = AppContext.BaseDirectory, // as the tests run
            RedirectStandardOutput = true,
        };
        start.Environment["SMARTTRIP_TEST_FUNCTIONS_HOST"] = written;

        using var process = Process.Start(start)!;
        var resolved = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();

        Assert.Equal(Path.GetFullPath(Path.Combine(TestServices.RepositoryRoot, written)), Path.GetFullPath(resolved));
    }

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"(?:\./)?((?:scripts|benchmarks/drills|benchmarks/load)/[\w-]+\.sh)")]
    private static partial Regex ScriptPath();

    [GeneratedRegex(@"SMARTTRIP_TEST_FUNCTIONS_HOST=(\S+)")]
    private static partial Regex HostSetting();
}
