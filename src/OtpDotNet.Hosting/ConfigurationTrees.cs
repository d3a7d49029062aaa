using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Otp.Net.GenServers;
using Otp.Net.Supervision;

namespace Otp.Net.Hosting;

/// <summary>
/// Reads applications and their supervision trees from configuration (appsettings.json), through the options pattern
/// (<see cref="OtpOptions"/>):
/// <code>
/// "Otp": {
///   "Node": { "ShutdownTimeout": "00:00:10" },
///   "Modules": { "counter": "modules/Counter.dll" },
///   "Applications": { "shop": {
///     "Version": "1.0.0", "Type": "Permanent", "DependsOn": [ "db" ], "Callback": "MyApp.ShopApp, MyApp",
///     "Supervisor": { "Strategy": "OneForOne", "Intensity": 3, "Period": 5, "Children": [
///       { "Id": "counter_sup", "Kind": "Supervisor", "Strategy": "OneForOne", "Children": [
///         { "Id": "c1", "GenServer": "MyApp.Cart, MyApp", "Args": { "Capacity": 10 }, "ArgsType": "MyApp.CartSettings, MyApp",
///           "Restart": "Transient", "Shutdown": "5000", "Scoped": true },
///         { "Id": "c2", "Module": "counter", "Args": 5, "Name": "counter" } ] },
///       { "Id": "pool", "Kind": "DynamicSupervisor", "MaxChildren": 100, "Name": "pool" } ] } } } }
/// </code>
/// <c>Shutdown</c> is milliseconds, <c>brutal_kill</c> or <c>infinity</c>; types are assembly-qualified names; a
/// <c>Module</c> child runs the current version of a code-server module (declared under <c>Modules</c> or loaded
/// before the host starts), so it can be upgraded live. A child is registered only under its <c>Name</c>; the top
/// supervisor under the application's name. Unknown keys, values of the wrong type, duplicate ids, unknown types and
/// modules are errors that name their configuration path (e.g. <c>Otp:Applications:shop:Supervisor:Children:2:Restart</c>).
/// </summary>
public static class ConfigurationTrees
{
    /// <summary>Reads and checks the applications under <paramref name="otpSection"/>'s <c>Applications</c> key.</summary>
    /// <exception cref="OptionsValidationException">The section is invalid; one message per error, each naming its path.</exception>
    public static IReadOnlyList<ApplicationBuilder> Read(IConfiguration otpSection)
    {
        ArgumentNullException.ThrowIfNull(otpSection);
        var options = new OtpOptions();
        Bind(otpSection, options, contentRoot: null);
        var errors = new List<string>(options.BindErrors);
        var applications = Convert(options, _ => false, errors);
        if (errors.Count > 0) throw new OptionsValidationException(Options.DefaultName, typeof(OtpOptions), errors);
        return applications;
    }

    // ------------------------------------------------------------------ binding

    /// <summary>
    /// Binds <paramref name="section"/> into <paramref name="options"/>, recording where each application and module
    /// came from; unknown keys and values the binder refuses go to <see cref="OtpOptions.BindErrors"/>, never thrown.
    /// </summary>
    internal static void Bind(IConfiguration section, OtpOptions options, string? contentRoot)
    {
        var errors = options.BindErrors;
        var before = errors.Count;
        var root = section is IConfigurationSection s ? s.Path : "";
        foreach (var key in section.GetChildren())
        {
            switch (key.Key.ToUpperInvariant())
            {
                case "APPLICATIONS":
                    foreach (var app in key.GetChildren())
                    {
                        if (options.Applications.ContainsKey(app.Key)) errors.Add($"{app.Path}: application {app.Key} is already declared");
                        CheckKeys(app, typeof(ApplicationOptions), errors);
                    }
                    break;
                case "MODULES":
                    foreach (var module in key.GetChildren())
                    {
                        if (module.GetChildren().Any()) errors.Add($"{module.Path}: expected the path of the module's assembly");
                        else if (options.Modules.ContainsKey(module.Key)) errors.Add($"{module.Path}: module {module.Key} is already declared");
                    }
                    break;
                case "NODE":
                    CheckKeys(key, typeof(NodeOptions), errors);
                    break;
                default:
                    errors.Add($"{key.Path}: unknown key '{key.Key}' (known: Applications, Modules, Node)");
                    break;
            }
        }
        if (errors.Count > before) return; // nothing bound: a refused section changes nothing
        var bound = new OtpOptions();
        try
        {
            section.Bind(bound);
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the path of a value it cannot convert ("Failed to convert configuration value at '...'").
            errors.Add(ex.Message);
            return;
        }
        foreach (var (name, app) in bound.Applications)
        {
            options.Applications[name] = app;
            options.ApplicationPaths[name] = Join(root, "Applications", name);
        }
        foreach (var (name, path) in bound.Modules)
        {
            options.Modules[name] = Path.IsPathRooted(path) ? path : Path.GetFullPath(path, contentRoot ?? AppContext.BaseDirectory);
            options.ModulePaths[name] = Join(root, "Modules", name);
        }
    }

    /// <summary>Reports every key of <paramref name="section"/> that is not a bindable property of <paramref name="type"/>, recursively.</summary>
    private static void CheckKeys(IConfigurationSection section, Type type, List<string> errors)
    {
        if (!string.IsNullOrEmpty(section.Value)) errors.Add($"{section.Path}: expected a section, found the value '{section.Value}'");
        var properties = Bindable(type);
        foreach (var child in section.GetChildren())
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                errors.Add($"{child.Path}: unknown key '{child.Key}' (known: {string.Join(", ", properties.Select(p => p.Name))})");
                continue;
            }
            var t = property.PropertyType;
            var nested = child.GetChildren().Any();
            if (t == typeof(IConfigurationSection)) continue;
            if (t == typeof(ChildOptions))
            {
                CheckKeys(child, t, errors);
            }
            else if (t == typeof(List<ChildOptions>))
            {
                foreach (var element in child.GetChildren()) CheckKeys(element, typeof(ChildOptions), errors);
            }
            else if (IsPlain(t))
            {
                if (nested) errors.Add($"{child.Path}: expected a value, found a section");
                else CheckValue(child, Nullable.GetUnderlyingType(t) ?? t, errors);
            }
        }
    }

    /// <summary>
    /// Converts a value as the binder will: the binder drops an element of a list or dictionary whose value it cannot
    /// convert without a word, so every value is checked first, and reported with its path.
    /// </summary>
    private static void CheckValue(IConfigurationSection value, Type type, List<string> errors)
    {
        if (type == typeof(string) || string.IsNullOrEmpty(value.Value)) return;
        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value.Value);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or NotSupportedException || ex.InnerException is FormatException or OverflowException)
        {
            errors.Add($"{value.Path}: cannot convert '{value.Value}' to {type.Name}");
        }
    }

    private static PropertyInfo[] Bindable(Type type) => type == typeof(NodeOptions)
        // Only plain values of the node's options come from configuration (clock, loggers and tracers are objects).
        ? type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true } && IsPlain(p.PropertyType)).ToArray()
        : type.GetProperties(BindingFlags.Public | BindingFlags.Instance);

    private static bool IsPlain(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(TimeSpan) || t == typeof(decimal);
    }

    private static string Join(string root, params string[] parts) => root.Length == 0 ? string.Join(':', parts) : root + ":" + string.Join(':', parts);

    // ------------------------------------------------------------------ checking and converting

    /// <summary>
    /// Turns bound options into declared applications, adding one message per error (each naming its path) to
    /// <paramref name="errors"/>. <paramref name="isLoaded"/> tells whether a module not declared in
    /// <see cref="OtpOptions.Modules"/> is already loaded.
    /// </summary>
    internal static List<ApplicationBuilder> Convert(OtpOptions options, Func<string, bool> isLoaded, List<string> errors)
    {
        foreach (var (name, file) in options.Modules)
        {
            if (!File.Exists(file)) errors.Add($"{options.PathOfModule(name)}: file not found: {file}");
        }
        var result = new List<ApplicationBuilder>();
        foreach (var (name, app) in options.Applications)
        {
            var path = options.PathOfApplication(name);
            var builder = new ApplicationBuilder(name)
                .Describe(app.Version, app.Description)
                .DependsOn([.. app.DependsOn]);
            if (!Enum.IsDefined(app.Type)) errors.Add($"{path}:Type: '{(int)app.Type}' is not an application type");
            else builder.AsType(app.Type);
            foreach (var (key, value) in app.Env) builder.WithEnv(key, value);
            if (app.Callback is { } callback)
            {
                var type = Resolve(callback);
                if (type is null) errors.Add($"{path}:Callback: type '{callback}' not found");
                else if (!typeof(SupervisedApplication).IsAssignableFrom(type) || type.IsAbstract) errors.Add($"{path}:Callback: {type.FullName} is not a concrete SupervisedApplication");
                else builder.WithCallback(type);
            }
            var top = app.Supervisor;
            if (top.Kind is { } kind && kind != ChildKind.Supervisor) errors.Add($"{path}:Supervisor:Kind: an application's top supervisor is a Supervisor");
            var tree = ToNode(top, name, $"{path}:Supervisor", ChildKind.Supervisor, top.Name ?? name, options, isLoaded, errors);
            result.Add(builder.WithTree(tree));
        }
        return result;
    }

    private static TreeNode ToNode(ChildOptions child, string id, string path, ChildKind? forced, string? name, OtpOptions options, Func<string, bool> isLoaded, List<string> errors)
    {
        var kind = forced ?? child.Kind ?? (child.GenServer is null && child.Module is null && child.Children.Count > 0 ? ChildKind.Supervisor : ChildKind.GenServer);
        if (!Enum.IsDefined(kind))
        {
            errors.Add($"{path}:Kind: '{(int)kind}' is not a child kind");
            kind = ChildKind.GenServer;
        }
        if (!Enum.IsDefined(child.Restart)) errors.Add($"{path}:Restart: '{(int)child.Restart}' is not a restart type");
        Type? serverType = null;
        object? args = null;
        if (kind == ChildKind.GenServer)
        {
            if (child.GenServer is not null && child.Module is not null) errors.Add($"{path}: a child runs either a GenServer type or a Module, not both");
            else if (child.GenServer is null && child.Module is null) errors.Add($"{path}: a GenServer child needs a GenServer type or a Module");
            if (child.GenServer is { } typeName)
            {
                serverType = Resolve(typeName);
                if (serverType is null) errors.Add($"{path}:GenServer: type '{typeName}' not found");
                else if (!typeof(GenServerBase).IsAssignableFrom(serverType) || serverType.IsAbstract) errors.Add($"{path}:GenServer: {serverType.FullName} is not a concrete GenServer");
            }
            if (child.Module is { } module && !options.Modules.ContainsKey(module) && !isLoaded(module))
            {
                errors.Add($"{path}:Module: module '{module}' is neither declared under Otp:Modules nor loaded");
            }
            if (child.Scoped && child.Module is not null) errors.Add($"{path}:Scoped: a Module child is created by the code server, not from a DI scope");
            args = ArgsOf(child, path, errors);
            if (child.Children.Count > 0) errors.Add($"{path}:Children: a GenServer has no children");
        }
        else
        {
            foreach (var (key, set) in new[] { ("GenServer", child.GenServer is not null), ("Module", child.Module is not null), ("Args", child.Args?.Exists() == true), ("ArgsType", child.ArgsType is not null), ("Scoped", child.Scoped) })
            {
                if (set) errors.Add($"{path}:{key}: only a GenServer child takes {key}");
            }
            if (kind == ChildKind.DynamicSupervisor && child.Children.Count > 0) errors.Add($"{path}:Children: a dynamic supervisor starts empty");
        }
        if (!Enum.IsDefined(child.Strategy)) errors.Add($"{path}:Strategy: '{(int)child.Strategy}' is not a strategy");
        else if (child.Strategy == Strategy.SimpleOneForOne) errors.Add($"{path}:Strategy: SimpleOneForOne needs a template; declare a DynamicSupervisor instead");
        if (child.Intensity is < 0) errors.Add($"{path}:Intensity: must be 0 or more");
        if (child.Period is < 1) errors.Add($"{path}:Period: must be 1 second or more");
        if (child.MaxChildren is < 0) errors.Add($"{path}:MaxChildren: must be 0 or more");
        var node = new TreeNode
        {
            Id = id,
            Kind = kind,
            ServerType = serverType,
            Module = kind == ChildKind.GenServer ? child.Module : null,
            Scoped = child.Scoped,
            Args = args,
            Name = name,
            Restart = child.Restart,
            Shutdown = ParseShutdown(child.Shutdown, $"{path}:Shutdown", errors),
            Flags = new SupervisorFlags { Strategy = child.Strategy, Intensity = child.Intensity ?? 1, PeriodSeconds = child.Period ?? 5 },
            Dynamic = new DynamicSupervisorOptions { MaxChildren = child.MaxChildren, Intensity = child.Intensity ?? 3, PeriodSeconds = child.Period ?? 5 },
        };
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < child.Children.Count; i++)
        {
            var c = child.Children[i];
            var childPath = $"{path}:Children:{i}";
            if (string.IsNullOrEmpty(c.Id))
            {
                errors.Add($"{childPath}:Id: a child needs an Id");
                continue;
            }
            if (seen.TryGetValue(c.Id, out var first))
            {
                errors.Add($"{childPath}:Id: duplicate child id '{c.Id}' (also {path}:Children:{first})");
                continue;
            }
            seen[c.Id] = i;
            node.Children.Add(ToNode(c, c.Id, childPath, null, c.Name, options, isLoaded, errors));
        }
        return node;
    }

    /// <summary>
    /// The Init argument: bound to <see cref="ChildOptions.ArgsType"/> when given (unknown keys are errors); else a
    /// plain value, an <see cref="int"/> if it reads as one.
    /// </summary>
    private static object? ArgsOf(ChildOptions child, string path, List<string> errors)
    {
        var section = child.Args is { } a && a.Exists() ? a : null;
        if (child.ArgsType is { } typeName)
        {
            var type = Resolve(typeName);
            if (type is null)
            {
                errors.Add($"{path}:ArgsType: type '{typeName}' not found");
                return null;
            }
            if (section is null) return null;
            try
            {
                return section.Get(type, o => o.ErrorOnUnknownConfiguration = true);
            }
            catch (InvalidOperationException ex)
            {
                errors.Add($"{path}:Args: cannot bind to {type.FullName}: {ex.Message}");
                return null;
            }
        }
        if (section is null) return null;
        if (section.GetChildren().Any())
        {
            errors.Add($"{path}:Args: a section needs its type: name it in {path}:ArgsType");
            return null;
        }
        var value = section.Value;
        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : value;
    }

    private static Shutdown? ParseShutdown(string? value, string path, List<string> errors)
    {
        switch (value)
        {
            case null:
                return null;
            case "brutal_kill":
                return Shutdown.BrutalKill;
            case "infinity":
                return Shutdown.Infinity;
        }
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)) return Shutdown.Timeout(ms);
        errors.Add($"{path}: '{value}' is not a shutdown (milliseconds, brutal_kill or infinity)");
        return null;
    }

    private static Type? Resolve(string name)
    {
        try
        {
            return Type.GetType(name, throwOnError: false);
        }
        catch (Exception ex) when (ex is ArgumentException or FileLoadException or BadImageFormatException)
        {
            return null;
        }
    }
}
