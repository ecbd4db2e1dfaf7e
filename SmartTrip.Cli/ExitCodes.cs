using SmartTrip.Core.Wire;

namespace SmartTrip.Cli;

/// <summary>
/// The tool's exit codes: 0 done; 1 refused (bad input, a failed check, a missing experiment); 69 unavailable (the
/// database, the queue or storage cannot be reached or is failing: try again, as EX_UNAVAILABLE of sysexits.h); 70 a
/// defect (EX_SOFTWARE). A script can retry on 69 alone.
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Refused = 1;
    public const int Unavailable = 69;
    public const int Defect = 70;

    /// <summary>The exit code of a failure that escaped the work itself (not a refused input).</summary>
    public static int Of(Exception exception) =>
        Failures.Classify(exception) == FailureKind.Unavailable ? Unavailable : Defect;
}
