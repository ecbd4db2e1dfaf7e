using System.Text;
using SmartTrip.Core.Recommendations;
using SmartTrip.Core.Tracking;
using SmartTrip.Core.Validation;

namespace SmartTrip.Benchmarks;

/// <summary>
/// The worst bodies the anonymous POST endpoints accept by size (at most <see cref="JsonBody.MaxBytes"/>), and each
/// endpoint's edge: everything a request goes through between its bytes and the first I/O (parse, text and number
/// check, validation). Shared by <see cref="EdgeBenchmarks"/> and the budget test of the edge.
/// </summary>
public static class EdgeShapes
{
    public const string Recommendations = "v2/recommendations";
    public const string Event = "events";
    public const string Batch = "events/batch";
    public const string BatchSpread = "events/batch (100 events)";
    public const string SessionStart = "session/start";

    public static readonly string[] Endpoints = [Recommendations, Event, Batch, BatchSpread, SessionStart];

    private const string SessionId = "5f0c6a50-0000-4000-8000-000000000001";
    private const string AnonymousId = "5f0c6a50-0000-4000-8000-000000000002";

    /// <summary>
    /// JSON objects of about <c>n</c> bytes holding at most <c>v</c> values: each name says the shape. Where a shape is made
    /// of many values it holds as many as it may, each as long as the size allows, except "over the value limit". The first
    /// is the body of the denial of service the second security review found (one long key over many array elements:
    /// quadratic while a path string was built per value).
    /// </summary>
    public static readonly (string Name, Func<int, int, string> Object)[] Shapes =
    [
        ("long key over many values", (n, v) => $"{{\"{Text('A', n - 2 * v - 16)}\":[{Repeat("0", ",", v)}]}}"),
        ("over the value limit", (n, _) => $"{{\"a\":[{Repeat("0", ",", (n - 16) / 2)}]}}"),
        ("short strings at the limit", (n, v) => $"{{\"a\":[{Repeat($"\"{Text('x', Each(n, v) - 3)}\"", ",", v)}]}}"),
        ("deep nesting at the limit", (n, v) => $"{{\"a\":[{Repeat(Nested(Each(n, v / 59) - 1), ",", v / 59)}]}}"),
        ("many keys", (n, v) => "{" + string.Join(",", Enumerable.Range(0, v / 2).Select(i => $"\"{Text('k', Each(n, v / 2) - 12)}{i:D7}\":0")) + "}"),
        ("one key many times", (n, v) => $"{{{Repeat($"\"a\":\"{Text('x', Each(n, v / 2) - 8)}\"", ",", v / 2)}}}"),
        ("long string", (n, _) => $"{{\"a\":\"{Text('x', n - 10)}\"}}"),
        ("surrogate pair escapes", (n, _) => $"{{\"a\":\"{Repeat(@"\ud83d\ude00", "", (n - 10) / 12)}\"}}"),
        ("raw four-byte text", (n, _) => $"{{\"a\":\"{Repeat("😀", "", (n - 10) / 4)}\"}}"),
        ("escaped names", (n, v) => "{" + string.Join(",", Enumerable.Range(0, v / 2).Select(i => $"\"{Repeat(@"\u05d0", "", (Each(n, v / 2) - 14) / 6)}{i:D7}\":0")) + "}"),
        ("long numbers", (n, v) => $"{{\"a\":[{Repeat("1" + Text('0', Math.Min(60, Each(n, v) - 9)) + "e131000", ",", v)}]}}"),
        ("refused at the very end", (n, v) => $"{{\"{Text('A', n - 2 * v - 30)}\":[{Repeat("0", ",", v)},\"\\u0000\"]}}"),
    ];

    /// <summary>The bytes each of <paramref name="count"/> items may take in a body of <paramref name="bytes"/>.</summary>
    private static int Each(int bytes, int count) => Math.Max(3, (bytes - 64) / Math.Max(1, count) - 1);

    /// <summary>
    /// A string 58 arrays deep (59 values), about <paramref name="size"/> bytes long: an event's metadata holding it is 63
    /// levels deep in a batch, one under the limit.
    /// </summary>
    private static string Nested(int size) => new string('[', 58) + $"\"{Text('x', size - 118)}\"" + new string(']', 58);

    private static string Text(char c, int length) => new(c, Math.Max(1, length));

    /// <summary>A shape's body for an endpoint, at most <paramref name="bytes"/> long.</summary>
    public static byte[] Body(string endpoint, Func<int, int, string> shape, int bytes = JsonBody.MaxBytes)
    {
        // As many values as a body of this size may hold in proportion, a little under the limit at 1 MB (room for the
        // event's own fields).
        var values = (int)((long)(JsonBody.MaxValues - 100) * bytes / JsonBody.MaxBytes);
        var eventPrefix = $"{{\"event_type\":\"page_view\",\"session_id\":\"{SessionId}\",\"anonymous_id\":\"{AnonymousId}\",\"metadata\":";
        var text = endpoint switch
        {
            Recommendations => shape(bytes, values),
            SessionStart => $"{{\"session_id\":\"{SessionId}\",\"anonymous_id\":\"{AnonymousId}\",\"x\":{shape(bytes - 120, values)}}}",
            Event => $"{eventPrefix}{shape(bytes - eventPrefix.Length - 1, values)}}}",
            Batch => $"{{\"events\":[{eventPrefix}{shape(bytes - eventPrefix.Length - 16, values)}}}]}}",
            BatchSpread => $"{{\"events\":[{Repeat($"{eventPrefix}{shape(bytes / EventIngestion.MaxBatch - eventPrefix.Length - 2, values / EventIngestion.MaxBatch - 5)}}}", ",", EventIngestion.MaxBatch)}]}}",
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
        };
        var body = Encoding.UTF8.GetBytes(text);
        return body.Length <= bytes ? body : throw new InvalidOperationException($"{endpoint} body is {body.Length} bytes, over {bytes}");
    }

    /// <summary>
    /// What the endpoint's function does with a body before its first I/O; returns how many events or searches it would go
    /// on with (0 when it refuses).
    /// </summary>
    public static int Edge(string endpoint, ReadOnlyMemory<byte> body, CancellationToken ct = default)
    {
        if (endpoint == Recommendations)
        {
            return PreferencesParser.Parse(body, ct).IsValid ? 1 : 0;
        }

        var (root, error) = JsonBody.Parse(body, ct);
        if (error is not null)
        {
            return 0;
        }

        switch (endpoint)
        {
            case SessionStart:
                return StorableText.Check(root, ct) is null && SessionService.ReadStart(root, null, null).Start is not null ? 1 : 0;
            case Event:
                return EventValidator.Validate(root, 0, ct).Event is null ? 0 : 1;
            default:
                var (events, shape) = EventIngestion.BatchEvents(root);
                return shape is null ? EventIngestion.ValidateBatch(events, ct).Accepted.Count : 0;
        }
    }

    private static string Repeat(string item, string separator, int count) =>
        string.Join(separator, Enumerable.Repeat(item, Math.Max(count, 1)));
}
