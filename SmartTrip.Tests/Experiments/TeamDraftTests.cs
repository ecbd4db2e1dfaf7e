using CsCheck;
using SmartTrip.Core.Experiments;

namespace SmartTrip.Tests.Experiments;

/// <summary>Team-draft interleaving and its statistics (docs/experiments.md §10).</summary>
[Trait("Category", "Unit")]
public sealed class TeamDraftTests
{
    /// <summary>Two rankings of distinct trips drawn from 1..30, 0 to 12 long each, and a seed for the coin.</summary>
    private static readonly Gen<(int[] A, int[] B, int Seed)> Rankings =
        Gen.Select(Gen.Int[1, 30].ArrayUnique[0, 12], Gen.Int[1, 30].ArrayUnique[0, 12], Gen.Int);

    [Fact]
    public void The_merged_list_takes_each_teams_best_unshown_trip_in_turn_and_credits_it()
    {
        Rankings.Sample(r =>
        {
            var draft = new TeamDraft<int>(x => x, new Random(r.Seed)).Draft(r.A, r.B, 10);
            var items = draft.Items;
            var expectedLength = Math.Min(10, r.A.Union(r.B).Count());
            Assert.Equal(expectedLength, items.Count);
            Assert.Equal(items.Count, items.Distinct().Count());
            Assert.Equal(items.Count, draft.Teams.Length);
            for (var k = 0; k < items.Count; k++)
            {
                var own = draft.Teams[k] == TeamDraft<int>.Control ? r.A : r.B;
                var shownBefore = items.Take(k).ToHashSet();
                // The pick is its team's best trip not shown before it.
                Assert.Equal(own.First(t => !shownBefore.Contains(t)), items[k]);
                var a = draft.Teams[..(k + 1)].Count(c => c == TeamDraft<int>.Control);
                var b = k + 1 - a;
                // While both teams still have trips to give, neither is more than one pick ahead.
                if (r.A.Count(t => !shownBefore.Contains(t)) > 1 && r.B.Count(t => !shownBefore.Contains(t)) > 1)
                {
                    Assert.InRange(a - b, -1, 1);
                }
            }

            Assert.InRange(draft.CoinFlips, 0, (items.Count + 1) / 2);
        });
    }

    /// <summary>
    /// Checked with rankings of different lengths too, where one team runs out of trips: no coin decides its turn then
    /// (counting one makes the probabilities add up to less than one).
    /// </summary>
    [Theory]
    [InlineData(new[] { 1, 2, 3, 4 }, new[] { 3, 1, 5, 2 })]
    [InlineData(new[] { 1, 2, 3, 4, 5 }, new[] { 2, 1 })]
    [InlineData(new[] { 7 }, new[] { 1, 2, 3, 7 })]
    public void Each_merged_list_and_its_teams_come_as_often_as_the_logged_probability_says(int[] a, int[] b)
    {
        var random = new Random(5);
        const int draws = 100_000;
        var seen = new Dictionary<string, (int Count, double Probability)>();
        for (var d = 0; d < draws; d++)
        {
            var draft = new TeamDraft<int>(x => x, random).Draft(a, b, 5);
            var outcome = string.Join(',', draft.Items) + "/" + draft.Teams;
            seen[outcome] = (seen.GetValueOrDefault(outcome).Count + 1, draft.Probability);
        }

        Assert.Equal(1, seen.Values.Sum(v => v.Probability), 12);
        Assert.All(seen.Values, v =>
            Assert.InRange(v.Count, draws * v.Probability - 5 * Math.Sqrt(draws * v.Probability), draws * v.Probability + 5 * Math.Sqrt(draws * v.Probability)));
    }

    [Fact]
    public void Phases_keep_the_relaxed_results_after_the_recommended_ones_and_carry_the_turns()
    {
        var draft = new TeamDraft<int>(x => x, new Random(1)).Draft([1, 2, 3], [4, 1], 10).Draft([7, 8], [9], 10);

        Assert.Equal([1, 2, 3, 4], draft.Items.Take(4).Order());
        Assert.Equal([7, 8, 9], draft.Items.Skip(4).Order());
    }

    [Fact]
    public void Clicks_credit_the_team_that_contributed_the_trip_and_the_sign_test_gives_the_textbook_value()
    {
        Assert.Equal(new TeamCredit(1, 2), TeamCredit.Of("ABBA", [2, 3, 4, 9]));
        var searches = Enumerable.Repeat(new TeamCredit(0, 1), 60).Concat(Enumerable.Repeat(new TeamCredit(2, 1), 40))
            .Concat(Enumerable.Repeat(new TeamCredit(1, 1), 25)).Concat(Enumerable.Repeat(new TeamCredit(0, 0), 500));
        var compared = InterleavingStatistics.Compare(searches);

        // 60 wins against 40 losses: P(X <= 40 | n = 100, 1/2) = 0.02844, two-sided 0.0569; 25 ties; no-click searches left out.
        Assert.Equal((60L, 40L, 25L), (compared.Wins, compared.Losses, compared.Ties));
        Assert.Equal(0.0569, compared.PValue, 4);
        Assert.Equal(20.0 / 125, compared.Delta, 12);
        Assert.False(compared.Significant);
        Assert.True(InterleavingStatistics.Balance(Enumerable.Repeat("AB", 600).Concat(Enumerable.Repeat("BA", 400))).Imbalanced);
        Assert.False(InterleavingStatistics.Balance(Enumerable.Repeat("AB", 510).Concat(Enumerable.Repeat("BA", 490))).Imbalanced);
    }
}
