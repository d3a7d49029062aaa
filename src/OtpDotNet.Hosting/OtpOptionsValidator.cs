using Microsoft.Extensions.Options;

namespace Otp.Net.Hosting;

/// <summary>
/// Checks <see cref="OtpOptions"/> when the host starts (<c>ValidateOnStart</c>): binding errors, trees, types,
/// modules, and application names declared both in code and in configuration.
/// </summary>
internal sealed class OtpOptionsValidator(OtpBuilder builder, Node node) : IValidateOptions<OtpOptions>
{
    public ValidateOptionsResult Validate(string? name, OtpOptions options)
    {
        var errors = new List<string>(options.BindErrors);
        var applications = ConfigurationTrees.Convert(options, m => builder.Modules.ContainsKey(m) || node.Code.IsLoaded(m), errors);
        foreach (var app in applications)
        {
            if (builder.Applications.Exists(a => a.Name == app.Name)) errors.Add($"{options.PathOfApplication(app.Name)}: application {app.Name} is also declared in code");
        }
        foreach (var module in options.Modules.Keys)
        {
            if (builder.Modules.ContainsKey(module)) errors.Add($"{options.PathOfModule(module)}: module {module} is also declared in code");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
