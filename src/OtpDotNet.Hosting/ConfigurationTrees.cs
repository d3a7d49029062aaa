using System.Globalization;
using Microsoft.Extensions.Configuration;
using Otp.Net.Applications;
using Otp.Net.Supervision;

namespace Otp.Net.Hosting;

/// <summary>
/// Reads applications and their supervision trees from configuration (appsettings.json):
/// <code>
/// "Otp": { "Applications": { "counters": {
///   "Version": "1.0.0", "Type": "Permanent", "DependsOn": [ "db" ], "Callback": "MyApp.CountersApp, MyApp",
///   "Supervisor": { "Strategy": "OneForOne", "Intensity": 3, "Period": 5, "Children": [
///     { "Id": "counter_sup", "Kind": "Supervisor", "Strategy": "OneForOne", "Children": [
///       { "Id": "c1", "GenServer": "MyApp.Counter, MyApp", "Args": 10000, "Restart": "Transient", "Shutdown": "5000" } ] },
///     { "Id": "pool", "Kind": "DynamicSupervisor", "MaxChildren": 100, "Name": "pool" } ] } } } }
/// </code>
/// <c>Shutdown</c> is milliseconds, <c>brutal_kill</c> or <c>infinity</c>; types are assembly-qualified names. A child is
/// registered only under its <c>Name</c>; the top supervisor under the application's name.
/// </summary>
public static class ConfigurationTrees
{
    /// <summary>Reads the applications under <paramref name="otpSection"/>'s <c>Applications</c> key.</summary>
    public static IReadOnlyList<ApplicationBuilder> Read(IConfiguration otpSection)
    {
        ArgumentNullException.ThrowIfNull(otpSection);
        var result = new List<ApplicationBuilder>();
        foreach (var app in otpSection.GetSection("Applications").GetChildren())
        {
            var builder = new ApplicationBuilder(app.Key)
                .Describe(app["Version"] ?? "0.0.0", app["Description"] ?? "")
                .AsType(Enum.Parse<ApplicationType>(app["Type"] ?? "Temporary", ignoreCase: true))
                .DependsOn(app.GetSection("DependsOn").GetChildren().Select(c => c.Value!).ToArray());
            if (app["Callback"] is { } callback)
            {
                var type = Resolve(callback);
                if (!typeof(SupervisedApplication).IsAssignableFrom(type)) throw new InvalidOperationException($"{callback} does not derive from SupervisedApplication");
                typeof(ApplicationBuilder).GetMethod(nameof(ApplicationBuilder.UseCallback))!.MakeGenericMethod(type).Invoke(builder, null);
            }
            var tree = ReadNode(app.GetSection("Supervisor"), app.Key, ChildKind.Supervisor, defaultName: app.Key);
            result.Add(builder.WithTree(tree));
        }
        return result;
    }

    private static TreeNode ReadNode(IConfigurationSection section, string id, ChildKind? kind = null, string? defaultName = null)
    {
        var k = kind ?? (section["GenServer"] is not null ? ChildKind.GenServer : Enum.Parse<ChildKind>(section["Kind"] ?? "GenServer", ignoreCase: true));
        var node = new TreeNode
        {
            Id = id,
            Kind = k,
            ServerType = section["GenServer"] is { } typeName ? Resolve(typeName) : null,
            Args = section["Args"] is { } a ? (int.TryParse(a, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : a) : null,
            Name = section["Name"] ?? defaultName,
            Restart = Enum.Parse<RestartType>(section["Restart"] ?? "Permanent", ignoreCase: true),
            Shutdown = ParseShutdown(section["Shutdown"]),
            Flags = new SupervisorFlags
            {
                Strategy = Enum.Parse<Strategy>(section["Strategy"] ?? "OneForOne", ignoreCase: true),
                Intensity = int.Parse(section["Intensity"] ?? "1", CultureInfo.InvariantCulture),
                PeriodSeconds = int.Parse(section["Period"] ?? "5", CultureInfo.InvariantCulture),
            },
            Dynamic = new DynamicSupervisorOptions
            {
                MaxChildren = section["MaxChildren"] is { } max ? int.Parse(max, CultureInfo.InvariantCulture) : null,
                Intensity = int.Parse(section["Intensity"] ?? "3", CultureInfo.InvariantCulture),
                PeriodSeconds = int.Parse(section["Period"] ?? "5", CultureInfo.InvariantCulture),
            },
        };
        foreach (var child in section.GetSection("Children").GetChildren())
        {
            node.Children.Add(ReadNode(child, child["Id"] ?? throw new InvalidOperationException($"a child of {id} has no Id")));
        }
        return node;
    }

    private static Shutdown? ParseShutdown(string? value) => value switch
    {
        null => null,
        "brutal_kill" => Shutdown.BrutalKill,
        "infinity" => Shutdown.Infinity,
        _ => Shutdown.Timeout(int.Parse(value, CultureInfo.InvariantCulture)),
    };

    private static Type Resolve(string name) =>
        Type.GetType(name, throwOnError: false) ?? throw new InvalidOperationException($"type {name} not found");
}
