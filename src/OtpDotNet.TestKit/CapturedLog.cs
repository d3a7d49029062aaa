using Microsoft.Extensions.Logging;

namespace Otp.Net.TestKit;

/// <summary>One log event captured by <see cref="LogCapture"/>.</summary>
/// <param name="Category">The logger's category (e.g. <c>Otp.Net.Supervision</c>).</param>
/// <param name="Level">The event's level.</param>
/// <param name="EventId">The event's id (the library's ids are stable).</param>
/// <param name="Properties">The structured properties (<c>Supervisor</c>, <c>ChildId</c>, <c>Reason</c>, ...), with <c>{OriginalFormat}</c>.</param>
/// <param name="Message">The rendered message.</param>
/// <param name="Exception">The exception logged with the event, if any.</param>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, IReadOnlyDictionary<string, object?> Properties, string Message, Exception? Exception)
{
    /// <summary>The property <paramref name="name"/>, or null when the event has none.</summary>
    public object? this[string name] => Properties.TryGetValue(name, out var v) ? v : null;

    /// <inheritdoc />
    public override string ToString() => $"{Level} {Category}[{EventId.Id}] {Message}";
}
