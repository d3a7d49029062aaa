using System.Text;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Supervision;

/// <summary>
/// An immutable snapshot of a running supervision tree: ids, pids, types, restart types and status, rendered as
/// indented text or as a Mermaid graph (like Kino's <c>render_sup_tree</c>). Taken with <see cref="SnapshotAsync"/>.
/// </summary>
/// <param name="Id">The node's child id (null for the root and for children of a dynamic supervisor).</param>
/// <param name="Pid">Its process (undefined when not running).</param>
/// <param name="Type">Worker or supervisor.</param>
/// <param name="Restart">Its restart type (permanent for the root).</param>
/// <param name="Status">running, undefined or restarting.</param>
/// <param name="Children">Its children, newest first as which_children reports them (empty for workers).</param>
public sealed record SupervisionTree(ChildId Id, Pid Pid, ChildType Type, RestartType Restart, string Status, IReadOnlyList<SupervisionTree> Children)
{
    /// <summary>Walks the tree under <paramref name="root"/> with which_children, one supervisor at a time.</summary>
    public static async Task<SupervisionTree> SnapshotAsync(ServerRef root, ChildId rootId = default, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var pid = root.Resolve()?.Self ?? throw CallException.For(ExitReason.NoProc, "supervisor", "which_children", new TermList(root.ToTerm()));
        return await WalkAsync(pid, rootId, RestartType.Permanent, timeout, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<SupervisionTree> WalkAsync(Pid pid, ChildId id, RestartType restart, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var children = new List<SupervisionTree>();
        foreach (var c in await Supervisor.WhichChildrenAsync(pid, timeout, cancellationToken).ConfigureAwait(false))
        {
            var status = c.Restarting ? "restarting" : c.Pid.IsUndefined ? "undefined" : "running";
            if (c.Type == ChildType.Supervisor && !c.Pid.IsUndefined)
            {
                try
                {
                    children.Add(await WalkAsync(c.Pid, c.Id, c.Restart, timeout, cancellationToken).ConfigureAwait(false));
                    continue;
                }
                catch (Exception ex) when (ex is ICallFailure)
                {
                    status = "undefined"; // it ended while we walked
                }
            }
            children.Add(new SupervisionTree(c.Id, c.Pid, c.Type, c.Restart, status, []));
        }
        return new SupervisionTree(id, pid, ChildType.Supervisor, restart, "running", children);
    }

    private string Label => $"{(Id.IsUndefined ? "" : Id + " ")}{Pid}".Trim();

    /// <summary>Indented text, one node per line: <c>id &lt;pid&gt; (type, restart)</c>.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        Append(sb, this, "", true, true);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, SupervisionTree node, string indent, bool last, bool root)
    {
        var type = node.Type == ChildType.Supervisor ? "supervisor" : "worker";
        var status = node.Status == "running" ? "" : $", {node.Status}";
        sb.Append(indent).Append(root ? "" : last ? "└─ " : "├─ ")
          .Append(node.Label).Append(" (").Append(type).Append(", ").Append(node.Restart.ToString().ToLowerInvariant()).Append(status).Append(")\n");
        var childIndent = root ? "" : indent + (last ? "   " : "│  ");
        for (var i = 0; i < node.Children.Count; i++) Append(sb, node.Children[i], childIndent, i == node.Children.Count - 1, false);
    }

    /// <summary>A Mermaid flowchart (<c>graph TD</c>): supervisors as rounded boxes, workers as rectangles.</summary>
    public string ToMermaid()
    {
        var sb = new StringBuilder("graph TD\n");
        var n = 0;
        Emit(sb, this, ref n);
        return sb.ToString();
    }

    private static string Emit(StringBuilder sb, SupervisionTree node, ref int counter)
    {
        var name = $"n{counter++}";
        var text = node.Label.Replace("\"", "#quot;", StringComparison.Ordinal) + (node.Status == "running" ? "" : $" ({node.Status})");
        sb.Append("  ").Append(name).Append(node.Type == ChildType.Supervisor ? $"(\"{text}\")" : $"[\"{text}\"]").Append('\n');
        foreach (var child in node.Children)
        {
            var childName = Emit(sb, child, ref counter);
            sb.Append("  ").Append(name).Append(" --> ").Append(childName).Append('\n');
        }
        return name;
    }
}
