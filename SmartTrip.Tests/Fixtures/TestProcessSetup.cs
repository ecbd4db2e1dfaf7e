using System.Runtime.CompilerServices;
using SmartTrip.Core.Data;

namespace SmartTrip.Tests.Fixtures;

internal static class TestProcessSetup
{
    /// <summary>
    /// The tests read rows with Dapper as the app does. When the host runs in this process it configures Dapper on
    /// start; when it runs out of process (a real Functions host) nothing else would.
    /// </summary>
    [ModuleInitializer]
    internal static void ConfigureDapper() => DapperSetup.EnsureConfigured();
}
