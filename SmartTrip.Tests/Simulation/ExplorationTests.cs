using SmartTrip.Core.Experiments;

namespace SmartTrip.Tests.Simulation;

/// <summary>
/// The logging policy's probabilities are exact: what the estimates divide by must be what the draws do
/// (docs/experiments.md §7).
/// </summary>
[Trait("Category", "Unit")]
public sealed class ExplorationTests
{
    public static TheoryData<ExplorationKind, double, int> Policies => new()
    {
        { ExplorationKind.Swap, 0.2, 10 },
        { ExplorationKind.Swap, 1, 4 },
        { ExplorationKind.Shuffle, 0.3, 3 },
        { ExplorationKind.Shuffle, 0.1, 4 },
    };

    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0)
        {
            yield return [];
            yield break;
        }

        foreach (var rest in Permutations(n - 1))
        {
            for (var at = 0; at < n; at++)
            {
                var p = rest.ToList();
                p.Insert(at, n - 1);
                yield return [.. p];
            }
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void The_probabilities_of_every_list_add_up_to_one_and_give_the_marginals(ExplorationKind kind, double share, int depth)
    {
        var policy = new LoggingPolicy(kind, share, depth);
        const int length = 10;
        // Only the first `depth` positions move, so the lists to enumerate are those of the top min(depth, 6) (a depth of 10
        // is checked on its marginals alone).
        var moving = Math.Min(depth, 6);
        var lists = Permutations(moving).Select(p => p.Concat(Enumerable.Range(moving, length - moving)).ToArray()).ToList();
        var probabilities = lists.Select(l => policy.ListProbability(l)).ToList();

        if (moving == depth)
        {
            Assert.Equal(1, probabilities.Sum(), 12);
            for (var rank = 1; rank <= length; rank++)
            {
                for (var position = 1; position <= length; position++)
                {
                    var fromLists = lists.Select((l, i) => l[position - 1] == rank - 1 ? probabilities[i] : 0).Sum();
                    Assert.Equal(fromLists, policy.Marginal(rank, position), 12);
                }
            }
        }

        for (var i = 1; i <= length; i++)
        {
            // Every rank lands somewhere and every position holds something: the marginals are doubly stochastic.
            Assert.Equal(1, Enumerable.Range(1, length).Sum(p => policy.Marginal(i, p)), 12);
            Assert.Equal(1, Enumerable.Range(1, length).Sum(r => policy.Marginal(r, i)), 12);
        }
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void The_draws_happen_as_often_as_the_probabilities_say(ExplorationKind kind, double share, int depth)
    {
        var policy = new LoggingPolicy(kind, share, depth);
        var random = new Random(11);
        const int draws = 200_000;
        var seen = new Dictionary<string, int>();
        var atPosition = new int[10, 10];
        for (var d = 0; d < draws; d++)
        {
            var order = policy.Draw(10, random);
            var key = string.Join(',', order);
            seen[key] = seen.GetValueOrDefault(key) + 1;
            for (var position = 0; position < 10; position++)
            {
                atPosition[order[position], position]++;
            }
        }

        foreach (var (key, count) in seen)
        {
            var p = policy.ListProbability(key.Split(',').Select(int.Parse).ToArray());
            Assert.True(p > 0, $"{key} was drawn but has probability 0");
            // Within 5 standard deviations of the binomial count.
            Assert.InRange(count, draws * p - 5 * Math.Sqrt(draws * p * (1 - p)) - 1, draws * p + 5 * Math.Sqrt(draws * p * (1 - p)) + 1);
        }

        for (var rank = 0; rank < 10; rank++)
        {
            for (var position = 0; position < 10; position++)
            {
                var p = policy.Marginal(rank + 1, position + 1);
                Assert.InRange(atPosition[rank, position], draws * p - 5 * Math.Sqrt(draws * p * (1 - p)) - 1, draws * p + 5 * Math.Sqrt(draws * p * (1 - p)) + 1);
            }
        }
    }

    [Fact]
    public void Without_a_share_or_with_one_result_to_move_the_ranking_is_shown_as_it_is()
    {
        var random = new Random(3);
        var off = LoggingPolicy.For(ExplorationKind.Shuffle, 0, 3, 10);
        var single = LoggingPolicy.For(ExplorationKind.Swap, 1, 10, firstTierCount: 1);

        Assert.Equal(Enumerable.Range(0, 10), off.Draw(10, random));
        Assert.Equal(Enumerable.Range(0, 10), single.Draw(10, random));
        Assert.Equal((1.0, 0.0), (single.ListProbability([0, 1, 2]), single.ListProbability([1, 0, 2])));
        Assert.Equal((1.0, 0.0), (off.Marginal(2, 2), off.Marginal(1, 2)));
        // The depth is cut to the first tier: with three recommended results, a swap never reaches the relaxed fourth.
        Assert.Equal(0, LoggingPolicy.For(ExplorationKind.Swap, 0.5, 10, firstTierCount: 3).Marginal(4, 1));
    }
}
