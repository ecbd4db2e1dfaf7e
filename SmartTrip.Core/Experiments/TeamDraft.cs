using System.Text;
using System.Text.Json.Serialization;
using MathNet.Numerics.Distributions;

namespace SmartTrip.Core.Experiments;

/// <summary>
/// Team-draft interleaving (Radlinski, Kurup and Joachims, CIKM 2008): two rankings, the control (team A) and the
/// candidate (team B), take turns to put their best trip not yet shown into one list; the team with fewer picks goes
/// next, and a fair coin decides when both have as many. Each position remembers its team, so a click credits the
/// ranking that contributed the trip. A draft may run in phases (the recommended results, then the relaxed ones), the
/// teams' counts carrying over, so the relaxed results still follow the recommended ones.
/// </summary>
public sealed class TeamDraft<T>(Func<T, int> key, Random random)
{
    public const char Control = 'A', Candidate = 'B';

    private readonly List<T> _items = [];
    private readonly StringBuilder _teams = new();
    private readonly HashSet<int> _placed = [];
    private int _picksA, _picksB;

    public IReadOnlyList<T> Items => _items;

    /// <summary>One letter per position: A for the control's trip, B for the candidate's.</summary>
    public string Teams => _teams.ToString();

    /// <summary>The coin flips the draft made; the list and its teams had probability 2^-flips given the two rankings.</summary>
    public int CoinFlips { get; private set; }

    public double Probability => Math.Pow(0.5, CoinFlips);

    /// <summary>Drafts from the two lists until the merged list holds <paramref name="upTo"/> trips or both are used up.</summary>
    public TeamDraft<T> Draft(IReadOnlyList<T> control, IReadOnlyList<T> candidate, int upTo)
    {
        int nextA = 0, nextB = 0;
        while (_items.Count < upTo)
        {
            nextA = Skip(control, nextA);
            nextB = Skip(candidate, nextB);
            var aCan = nextA < control.Count;
            var bCan = nextB < candidate.Count;
            if (!aCan && !bCan)
            {
                break;
            }

            bool aPicks;
            if (!aCan || !bCan)
            {
                aPicks = aCan; // a team with nothing left to give passes its turn, and no coin is needed
            }
            else if (_picksA != _picksB)
            {
                aPicks = _picksA < _picksB;
            }
            else
            {
                CoinFlips++;
                aPicks = random.Next(2) == 0;
            }
            var item = aPicks ? control[nextA] : candidate[nextB];
            _items.Add(item);
            _placed.Add(key(item));
            _teams.Append(aPicks ? Control : Candidate);
            _ = aPicks ? _picksA++ : _picksB++;
        }

        return this;
    }

    private int Skip(IReadOnlyList<T> list, int from)
    {
        while (from < list.Count && _placed.Contains(key(list[from])))
        {
            from++;
        }

        return from;
    }
}

/// <summary>An interleaved search's clicks (or contacts) per team.</summary>
public readonly record struct TeamCredit(int Control, int Candidate)
{
    /// <summary>The credit of the positions (1-based) clicked in a list with these teams.</summary>
    public static TeamCredit Of(string teams, IEnumerable<int> positions)
    {
        int a = 0, b = 0;
        foreach (var p in positions)
        {
            if (p >= 1 && p <= teams.Length)
            {
                _ = teams[p - 1] == TeamDraft<int>.Control ? a++ : b++;
            }
        }

        return new TeamCredit(a, b);
    }
}

/// <summary>The comparison of an interleaving experiment, for clicks or for contacts.</summary>
public sealed record InterleavingComparison
{
    /// <summary>Searches where the candidate's trips got more credit than the control's.</summary>
    [JsonPropertyName("wins")] public long Wins { get; init; }

    [JsonPropertyName("losses")] public long Losses { get; init; }

    /// <summary>Searches with credit, as much for each team.</summary>
    [JsonPropertyName("ties")] public long Ties { get; init; }

    /// <summary>(wins − losses) / (wins + losses + ties): above 0, the candidate is preferred.</summary>
    [JsonPropertyName("delta")] public double Delta { get; init; }

    /// <summary>The two-sided sign test of wins against losses (ties set aside).</summary>
    [JsonPropertyName("p_value")] public double PValue { get; init; }

    [JsonPropertyName("significant")] public bool Significant { get; init; }
}

/// <summary>The coin decides who leads: the first position should be the control's about half the time.</summary>
public sealed record TeamBalance
{
    [JsonPropertyName("first_from_control")] public long FirstFromControl { get; init; }
    [JsonPropertyName("first_from_candidate")] public long FirstFromCandidate { get; init; }

    /// <summary>The two-sided binomial test of the first positions against one half.</summary>
    [JsonPropertyName("p_value")] public double PValue { get; init; }

    /// <summary>p &lt; 0.001: the draft or its logging is broken, and the comparison is not to be trusted.</summary>
    [JsonPropertyName("imbalanced")] public bool Imbalanced { get; init; }
}

/// <summary>The statistics of interleaving results (docs/experiments.md §10).</summary>
public static class InterleavingStatistics
{
    public static InterleavingComparison Compare(IEnumerable<TeamCredit> searches)
    {
        long wins = 0, losses = 0, ties = 0;
        foreach (var s in searches)
        {
            if (s.Candidate > s.Control)
            {
                wins++;
            }
            else if (s.Candidate < s.Control)
            {
                losses++;
            }
            else if (s.Candidate > 0)
            {
                ties++;
            }
        }

        var p = SignTest(wins, losses);
        var counted = wins + losses + ties;
        return new InterleavingComparison
        {
            Wins = wins, Losses = losses, Ties = ties, Delta = counted == 0 ? 0 : (double)(wins - losses) / counted, PValue = p,
            Significant = p < 0.05,
        };
    }

    public static TeamBalance Balance(IEnumerable<string> teams)
    {
        long a = 0, b = 0;
        foreach (var t in teams)
        {
            if (t.Length > 0)
            {
                _ = t[0] == TeamDraft<int>.Control ? a++ : b++;
            }
        }

        var p = SignTest(a, b);
        return new TeamBalance { FirstFromControl = a, FirstFromCandidate = b, PValue = p, Imbalanced = p < 0.001 };
    }

    /// <summary>Two-sided exact binomial test of <paramref name="x"/> successes against <paramref name="y"/> at one half.</summary>
    public static double SignTest(long x, long y)
    {
        var n = x + y;
        if (n == 0)
        {
            return 1;
        }

        var low = Math.Min(x, y);
        return Math.Min(1, 2 * Binomial.CDF(0.5, (int)Math.Min(n, int.MaxValue), low));
    }
}
