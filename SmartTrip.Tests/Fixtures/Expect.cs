namespace SmartTrip.Tests.Fixtures;

/// <summary>Assertions over collections that cannot pass by being empty.</summary>
public static class Expect
{
    /// <summary>Exactly <paramref name="count"/> items, each passing <paramref name="check"/>.</summary>
    public static void All<T>(IEnumerable<T> items, int count, Action<T> check)
    {
        var list = items.ToList();
        Assert.Equal(count, list.Count);
        Assert.All(list, check);
    }
}
