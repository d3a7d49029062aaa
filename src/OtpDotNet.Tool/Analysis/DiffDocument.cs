using Otp.Net.Releases;

namespace Otp.Net.Tool.Analysis;

/// <summary>
/// The instructions between two release versions as <c>release diff --out</c> writes them and <c>release appup
/// --instructions</c> reads them back, in the release documents' JSON (<see cref="ReleaseJson.Options"/>): meant to
/// be reviewed and edited. <see cref="Decisions"/> and <see cref="Warnings"/> are notes for the reviewer.
/// </summary>
internal sealed record DiffDocument(string From, string To, IReadOnlyList<AppupInstruction> Upgrade, IReadOnlyList<AppupInstruction> Downgrade)
{
    public IReadOnlyList<string> Decisions { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];
}
