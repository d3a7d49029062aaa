using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Otp.Net.Hosting;

/// <summary>Binds one configuration section into <see cref="OtpOptions"/> (errors are kept for the validator).</summary>
internal sealed class OtpOptionsSetup(IConfiguration section, IHostEnvironment? environment) : IConfigureOptions<OtpOptions>
{
    public void Configure(OtpOptions options) => ConfigurationTrees.Bind(section, options, environment?.ContentRootPath);
}
