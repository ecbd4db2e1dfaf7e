namespace SmartTrip.Core.Experiments;

/// <summary>The minimal-harm change a randomised search may get (docs/experiments.md §7).</summary>
public enum ExplorationKind
{
    /// <summary>The first result trades places with one of positions 2..depth, chosen uniformly.</summary>
    Swap,

    /// <summary>The first <c>depth</c> results are put in a uniformly random order.</summary>
    Shuffle,
}

/// <summary>
/// The policy a search was served by: the engine's ranking, changed with probability <see cref="Share"/> by a
/// <see cref="Kind"/> intervention over the first <see cref="Depth"/> results. Knowing it exactly is what lets a later
/// estimate reweight the logged clicks: the probability of the shown list (<see cref="ListProbability"/>) and of each
/// trip at each position (<see cref="Marginal"/>) follow from the engine's ranking and these three values.
/// </summary>
public readonly record struct LoggingPolicy(ExplorationKind Kind, double Share, int Depth)
{
    /// <summary>The engine's ranking as it is, always (no randomised slice).</summary>
    public static LoggingPolicy Ranked => new(ExplorationKind.Swap, 0, 1);

    /// <summary>False when no search under this policy can be changed (no share, or fewer than two results to move).</summary>
    public bool Randomises => Share > 0 && Depth >= 2;

    /// <summary>
    /// The policy for one search: the configured one with its depth cut to the results of the first result's tier, so
    /// an intervention never mixes the relaxed results into the recommended ones.
    /// </summary>
    public static LoggingPolicy For(ExplorationKind kind, double share, int configuredDepth, int firstTierCount) =>
        new(kind, share, Math.Max(1, Math.Min(configuredDepth, firstTierCount)));

    /// <summary>
    /// Draws the order to show: a permutation of positions (shown position i holds the ranked item at
    /// <c>order[i]</c>, 0-based), the identity unless the search falls in the randomised slice.
    /// </summary>
    public int[] Draw(int count, Random random)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        if (!Randomises || count < 2 || random.NextDouble() >= Share)
        {
            return order;
        }

        var depth = Math.Min(Depth, count);
        if (Kind == ExplorationKind.Swap)
        {
            var k = random.Next(1, depth); // 0-based 1..depth-1: positions 2..depth
            (order[0], order[k]) = (order[k], order[0]);
        }
        else
        {
            random.Shuffle(order.AsSpan(0, depth));
        }

        return order;
    }

    /// <summary>
    /// The probability that the item the engine ranked at <paramref name="rank"/> is shown at
    /// <paramref name="position"/> (both 1-based), over this policy's randomness.
    /// </summary>
    public double Marginal(int rank, int position)
    {
        var inReach = rank <= Depth && position <= Depth && Randomises;
        if (!inReach)
        {
            return rank == position ? 1 : 0;
        }

        if (Kind == ExplorationKind.Shuffle)
        {
            return (rank == position ? 1 - Share : 0) + Share / Depth;
        }

        var perSwap = Share / (Depth - 1);
        return (rank, position) switch
        {
            (1, 1) => 1 - Share,
            (1, _) or (_, 1) => perSwap,
            _ when rank == position => 1 - perSwap,
            _ => 0,
        };
    }

    /// <summary>
    /// The probability of showing exactly <paramref name="order"/> (as <see cref="Draw"/> returns it) given the engine's
    /// ranking; 0 for an order this policy never produces.
    /// </summary>
    public double ListProbability(ReadOnlySpan<int> order)
    {
        var depth = Math.Min(Depth, order.Length);
        for (var i = depth; i < order.Length; i++)
        {
            if (order[i] != i)
            {
                return 0;
            }
        }

        var moved = 0;
        for (var i = 0; i < depth; i++)
        {
            moved += order[i] == i ? 0 : 1;
        }

        if (!Randomises || depth < 2)
        {
            return moved == 0 ? 1 : 0;
        }

        if (Kind == ExplorationKind.Shuffle)
        {
            var uniform = Share / Factorial(depth);
            return moved == 0 ? 1 - Share + uniform : uniform;
        }

        return moved switch
        {
            0 => 1 - Share,
            2 when order[0] != 0 && order[order[0]] == 0 => Share / (depth - 1),
            _ => 0,
        };
    }

    private static double Factorial(int n)
    {
        var f = 1.0;
        for (var i = 2; i <= n; i++)
        {
            f *= i;
        }

        return f;
    }
}
