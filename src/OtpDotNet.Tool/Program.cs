using Otp.Net.Tool.Commands;

return await Cli.Root().Parse(args).InvokeAsync().ConfigureAwait(false);
