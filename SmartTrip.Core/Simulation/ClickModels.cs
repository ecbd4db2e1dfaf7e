namespace SmartTrip.Core.Simulation;

/// <summary>How simulated travellers read a results list.</summary>
public enum ClickModelKind
{
    /// <summary>Position k is looked at with probability (1/k)^η, whatever is above it; a looked-at trip is clicked by its appeal.</summary>
    PositionBased,

    /// <summary>The list is read from the top until the first click, which ends the reading (Craswell et al., WSDM 2008).</summary>
    Cascade,
}

/// <summary>
/// A traveller's clicks and contacts on a results list, from the true relevance grade (0–4) of each shown trip. The appeal
/// of a trip is <c>noise + (1 − noise)(2^grade − 1)/16</c> (the graded mapping of Chapelle et al., CIKM 2009, with a floor
/// of noise clicks); after a click, a contact follows with probability <c>contact × grade/4</c>. A reader is ready to click
/// at all with probability <paramref name="intent"/> (the others only look), which sets how many searches get a click.
/// </summary>
public sealed class ClickModel(ClickModelKind kind, double eta, double noise, double contact, double intent = 1)
{
    public ClickModelKind Kind => kind;

    public double Eta => eta;

    public double Intent => intent;

    /// <summary>The probability position k (1-based) is looked at under the position-based model.</summary>
    public double Examination(int k) => Math.Pow(1.0 / k, eta);

    public double Appeal(int grade) => noise + (1 - noise) * (Math.Pow(2, grade) - 1) / 16;

    public double ContactAfterClick(int grade) => contact * grade / 4.0;

    /// <summary>The probability of a click at each position, for the first <paramref name="cutoff"/> shown trips.</summary>
    public double[] ClickProbabilities(ReadOnlySpan<int> grades, int cutoff = 10)
    {
        var p = ReadyClickProbabilities(grades, cutoff);
        for (var k = 0; k < p.Length; k++)
        {
            p[k] *= intent;
        }

        return p;
    }

    /// <summary>The same for a reader ready to click.</summary>
    private double[] ReadyClickProbabilities(ReadOnlySpan<int> grades, int cutoff)
    {
        var n = Math.Min(cutoff, grades.Length);
        var p = new double[n];
        var unclicked = 1.0;
        for (var k = 0; k < n; k++)
        {
            var appeal = Appeal(grades[k]);
            if (kind == ClickModelKind.PositionBased)
            {
                p[k] = Examination(k + 1) * appeal;
            }
            else
            {
                p[k] = unclicked * appeal;
                unclicked *= 1 - appeal;
            }
        }

        return p;
    }

    /// <summary>The expected clicks on the first ten results.</summary>
    public double ExpectedClicks(ReadOnlySpan<int> grades) => ClickProbabilities(grades).Sum();

    /// <summary>The probability of at least one click on the first ten results.</summary>
    public double AnyClick(ReadOnlySpan<int> grades)
    {
        var p = ReadyClickProbabilities(grades, 10);
        if (kind == ClickModelKind.Cascade)
        {
            return intent * p.Sum(); // one click at most: the events "first click at k" are disjoint
        }

        var none = 1.0;
        foreach (var q in p)
        {
            none *= 1 - q;
        }

        return intent * (1 - none);
    }

    /// <summary>The probability of at least one contact after the first ten results.</summary>
    public double AnyContact(ReadOnlySpan<int> grades)
    {
        var p = ReadyClickProbabilities(grades, 10);
        if (kind == ClickModelKind.Cascade)
        {
            var sum = 0.0;
            for (var k = 0; k < p.Length; k++)
            {
                sum += p[k] * ContactAfterClick(grades[k]);
            }

            return intent * sum;
        }

        var none = 1.0;
        for (var k = 0; k < p.Length; k++)
        {
            none *= 1 - p[k] * ContactAfterClick(grades[k]);
        }

        return intent * (1 - none);
    }

    /// <summary>Draws one traveller's reading of the list: the clicked positions (1-based) and those followed by a contact.</summary>
    public (List<int> Clicks, List<int> Contacts) Sample(ReadOnlySpan<int> grades, Random random, int cutoff = 10)
    {
        var clicks = new List<int>();
        var contacts = new List<int>();
        if (intent < 1 && random.NextDouble() >= intent)
        {
            return (clicks, contacts);
        }

        var n = Math.Min(cutoff, grades.Length);
        for (var k = 0; k < n; k++)
        {
            var looked = kind == ClickModelKind.Cascade || random.NextDouble() < Examination(k + 1);
            if (!looked || random.NextDouble() >= Appeal(grades[k]))
            {
                continue;
            }

            clicks.Add(k + 1);
            if (random.NextDouble() < ContactAfterClick(grades[k]))
            {
                contacts.Add(k + 1);
            }

            if (kind == ClickModelKind.Cascade)
            {
                break;
            }
        }

        return (clicks, contacts);
    }
}
